/**
 * The configuration schema: every key `bulwark serve` understands, with its default. The YAML file
 * uses the same names as the command-line flags (camelCase). Unknown keys are errors, not ignored,
 * so a typo never silently leaves a protection off.
 */
import { z } from 'zod';

const hostPort = z
  .string()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[^:\s]+):(\d{1,5})$/, 'expected HOST:PORT, e.g. 127.0.0.1:2222')
  .refine((v) => {
    const port = Number(v.slice(v.lastIndexOf(':') + 1));
    return port >= 0 && port <= 65535;
  }, 'port must be 0..65535');

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*\*?$/, 'an environment variable name, optionally ending in *');

export const targetSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'lowercase letters, digits, . _ -'),
    environment: z.string().min(1).default('development'),
    labels: z.array(z.string().min(1)).default([]),
    /** OS account the shell runs as when bulwark runs as root. Unset: the login name's account,
     * or `nobody` for the default local target. */
    user: z.string().min(1).optional(),
    /** Running a session as uid 0 needs this to be said out loud. */
    allowRoot: z.boolean().default(false),
    cwd: z.string().min(1).optional(),
    shell: z.string().min(1).default('/bin/bash'),
  })
  .strict();

export const configSchema = z
  .object({
    listen: hostPort.default('127.0.0.1:2222'),
    /** Directory for generated keys and state; relative paths resolve against the config file. */
    state: z.string().min(1).default('state'),
    hostKey: z.string().min(1).optional(),
    /** Files of trusted user CA public keys (TrustedUserCAKeys format). Unset: the generated dev CA. */
    userCa: z.array(z.string().min(1)).default([]),
    policies: z.string().min(1).optional(),
    recordings: z.string().min(1).default('recordings'),
    /** An OpenSSH KRL or a text deny list (serial:N, key-id:ID); reloaded on change. */
    revocationList: z.string().min(1).optional(),
    /** Allowance for clocks that disagree about certificate validity windows. */
    clockSkewSeconds: z.number().int().min(0).max(600).default(60),
    /** Kind given to a certificate without kind@bulwark: the stricter agent unless said otherwise. */
    defaultKind: z.enum(['human', 'agent']).default('agent'),
    targets: z.array(targetSchema).min(1).default([{ name: 'local', environment: 'development', labels: [], allowRoot: false, shell: '/bin/bash' }]),
    defaultTarget: z.string().optional(),
    /** Client environment variables passed to the shell; anything else is dropped. */
    acceptEnv: z.array(envName).default(['TERM', 'LANG', 'LC_*', 'COLORTERM', 'BULWARK_REASON']),
    onRecordingFailure: z.enum(['terminate', 'continue']).default('terminate'),
    /** Recordings older than maxAgeDays are removed (hourly and at startup), except legal holds. */
    retention: z
      .object({
        maxAgeDays: z.number().positive().optional(),
        legalHold: z.array(z.string().regex(/^[0-9TZ]+-[0-9a-f]+$/, 'a recording id')).default([]),
      })
      .strict()
      .default({ legalHold: [] }),
    /** Off removes the evidence trail: meant for benchmarks and throwaway labs only. */
    recordSessions: z.boolean().default(true),
    shutdownGraceSeconds: z.number().int().min(0).max(3600).default(30),
    keepaliveSeconds: z.number().int().min(0).max(3600).default(30),
    authRateLimit: z
      .object({
        maxFailures: z.number().int().min(1).default(10),
        windowSeconds: z.number().int().min(1).default(60),
      })
      .strict()
      .default({ maxFailures: 10, windowSeconds: 60 }),
    maxSessions: z.number().int().min(1).default(256),
    logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const names = new Set<string>();
    cfg.targets.forEach((t, i) => {
      if (names.has(t.name)) ctx.addIssue({ code: 'custom', path: ['targets', i, 'name'], message: `duplicate target "${t.name}"` });
      names.add(t.name);
    });
    if (cfg.defaultTarget !== undefined && !names.has(cfg.defaultTarget)) {
      ctx.addIssue({ code: 'custom', path: ['defaultTarget'], message: `no target named "${cfg.defaultTarget}"` });
    }
  });

export type ConfigInput = z.input<typeof configSchema>;
export type ParsedConfig = z.output<typeof configSchema>;
export type TargetConfig = z.output<typeof targetSchema>;
