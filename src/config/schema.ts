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

// --- identity: OIDC issuers, certificate issuance, issuing endpoint, dev IdP (docs/oidc.md) ---
const LOOPBACK_HOST = /^(127\.\d+\.\d+\.\d+|\[::1\]|localhost):\d+$/;
const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
/** "15m", "8h", "1d", "90s" → seconds. */
const duration = z
  .string()
  .regex(/^\d{1,6}[smhd]$/, 'a duration like 90s, 15m, 8h or 1d')
  .transform((v) => Number(v.slice(0, -1)) * (DURATION_UNITS[v.slice(-1)] as number));
const claimName = z.string().regex(/^[A-Za-z0-9_.:/-]{1,128}$/, 'a claim name');

export const oidcIssuerSchema = z
  .object({
    /** Exactly the `iss` value; discovery is fetched from ISSUER/.well-known/openid-configuration. */
    issuer: z.url(),
    /** Accepted `aud` values; default: [clientId]. */
    audience: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
    /** Client id `bulwark login` uses with this issuer (a public client: device flow, PKCE). */
    clientId: z.string().min(1).optional(),
    clientSecret: z.string().min(1).optional(),
    /** Tokens whose azp/client_id is one of these are agents. */
    agentClients: z.array(z.string().min(1)).default([]),
    /** auto: agent for client-credentials tokens and agentClients, else human. */
    kind: z.enum(['auto', 'human', 'agent']).default('auto'),
    claims: z
      .object({
        subject: z.array(claimName).min(1).default(['email', 'sub']),
        groups: claimName.default('groups'),
        principals: claimName.default('principals'),
      })
      .strict()
      .default({ subject: ['email', 'sub'], groups: 'groups', principals: 'principals' }),
    /** Group → principals granted to members (added to any principals claim). */
    principalsByGroup: z.record(z.string(), z.array(z.string().min(1))).default({}),
  })
  .strict()
  .refine((i) => i.clientId !== undefined || i.audience !== undefined, { message: 'set clientId or audience', path: ['audience'] });

const identitySchemas = {
  oidc: z.object({ issuers: z.array(oidcIssuerSchema).default([]) }).strict().default({ issuers: [] }),
  certificates: z
    .object({
      /** CA private key that signs issued certificates; default state/user_ca. */
      caKey: z.string().min(1).optional(),
      humanValidity: duration.default(8 * 3600),
      agentValidity: duration.default(15 * 60),
      maxValidity: duration.default(24 * 3600),
      /** Pin each certificate to the address that requested it (source-address critical option). */
      sourceAddressPinning: z.boolean().default(false),
    })
    .strict()
    .default({ humanValidity: 8 * 3600, agentValidity: 15 * 60, maxValidity: 24 * 3600, sourceAddressPinning: false }),
  issuer: z
    .object({
      listen: hostPort.default('127.0.0.1:8422'),
      tlsCert: z.string().min(1).optional(),
      tlsKey: z.string().min(1).optional(),
      /** HOST:PORT clients use to reach the SSH listener, written into their ssh_config by
       * `bulwark login`; default: the `listen` address (0.0.0.0 → 127.0.0.1). */
      sshAddress: hostPort.optional(),
      /** Refused certificate requests per source address per minute before 429s. */
      maxRefusalsPerMinute: z.number().int().min(1).default(30),
    })
    .strict()
    .refine((i) => (i.tlsCert === undefined) === (i.tlsKey === undefined), { message: 'set both tlsCert and tlsKey, or neither', path: ['tlsKey'] })
    .refine((i) => i.tlsCert !== undefined || LOOPBACK_HOST.test(i.listen), { message: 'plain HTTP only on loopback: set tlsCert and tlsKey to listen elsewhere', path: ['listen'] })
    .default({ listen: '127.0.0.1:8422', maxRefusalsPerMinute: 30 }),
  devIdp: z
    .object({
      enabled: z.boolean().default(true),
      listen: hostPort.refine((v) => LOOPBACK_HOST.test(v), 'the development IdP listens on loopback only').default('127.0.0.1:8421'),
    })
    .strict()
    .default({ enabled: true, listen: '127.0.0.1:8421' }),
  // --- console: the auditor web console (docs/console.md) ---
  console: z
    .object({
      enabled: z.boolean().default(true),
      listen: hostPort.default('127.0.0.1:8423'),
      tlsCert: z.string().min(1).optional(),
      tlsKey: z.string().min(1).optional(),
      /** Members see recordings. */
      auditorGroups: z.array(z.string().min(1)).default(['auditors']),
      /** Members see and decide review requests. */
      approverGroups: z.array(z.string().min(1)).default(['approvers']),
      /** OIDC client of the console (auth code + PKCE); unset in dev mode: the dev IdP's console client. */
      issuer: z.url().optional(),
      clientId: z.string().min(1).optional(),
      clientSecret: z.string().min(1).optional(),
      /** Public origin browsers use (for the OIDC redirect and the Origin check); default from listen. */
      publicUrl: z.url().optional(),
      idleTimeout: duration.default(30 * 60),
      maxLifetime: duration.default(8 * 3600),
    })
    .strict()
    .refine((i) => (i.tlsCert === undefined) === (i.tlsKey === undefined), { message: 'set both tlsCert and tlsKey, or neither', path: ['tlsKey'] })
    .refine((i) => i.tlsCert !== undefined || LOOPBACK_HOST.test(i.listen), { message: 'plain HTTP only on loopback: set tlsCert and tlsKey to listen elsewhere', path: ['listen'] })
    .default({ enabled: true, listen: '127.0.0.1:8423', auditorGroups: ['auditors'], approverGroups: ['approvers'], idleTimeout: 1800, maxLifetime: 28800 }),
  // --- end console ---
};

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
    acceptEnv: z.array(envName).default(['TERM', 'LANG', 'LC_*', 'COLORTERM', 'BULWARK_REASON', 'BULWARK_WAIT']),
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
    // --- approvals: review requests (docs/reviews.md) ---
    approvals: z
      .object({
        /** How long a request stays open (pending, or approved and not yet used). */
        ttl: duration.default(15 * 60),
        /** Distinct approvers needed. */
        requiredApprovals: z.number().int().min(1).max(10).default(1),
        /** JSON POST (Slack-compatible body) when a request is opened and decided. */
        webhookUrl: z.url().optional(),
        /** How long an exec client that waits is kept waiting before exit 75. */
        waitTimeout: duration.default(10 * 60),
        /** Whether exec clients wait by default, per kind: always, only with a terminal (`ssh -t`:
         * someone is watching), or never (return 75 at once). BULWARK_WAIT=1|0 overrides. */
        wait: z
          .object({ human: z.enum(['always', 'tty', 'never']).default('tty'), agent: z.enum(['always', 'tty', 'never']).default('never') })
          .strict()
          .default({ human: 'tty', agent: 'never' }),
      })
      .strict()
      .default({ ttl: 15 * 60, requiredApprovals: 1, waitTimeout: 10 * 60, wait: { human: 'tty', agent: 'never' } }),
    // --- end approvals ---
    ...identitySchemas,
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
export type OidcIssuerConfig = z.output<typeof oidcIssuerSchema>;
