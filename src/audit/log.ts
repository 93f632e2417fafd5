/**
 * Audit emitter: pino JSON lines with a stable `event` code on every line. A child log carries the
 * connection's identity so every later line of that connection says who, from where and with which
 * certificate (security invariant 5).
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import type { AuditCode } from './events.js';

export type AuditFields = Record<string, unknown>;

export interface AuditLog {
  event(code: AuditCode, fields?: AuditFields, msg?: string): void;
  warn(code: AuditCode, fields?: AuditFields, msg?: string): void;
  error(code: AuditCode, fields?: AuditFields, msg?: string): void;
  /** A log whose every line also carries `bindings`. */
  child(bindings: AuditFields): AuditLog;
  /** Write out anything buffered (before the process exits). */
  flush(): void;
}

/** Secrets that must never reach a log line even if a caller passes them by mistake. */
const REDACT = ['token', 'password', 'secret', 'privateKey', '*.token', '*.password', '*.secret', '*.privateKey'];

class PinoAudit implements AuditLog {
  constructor(private readonly logger: Logger) {}

  event(code: AuditCode, fields: AuditFields = {}, msg?: string): void {
    this.logger.info({ event: code, ...fields }, msg ?? code);
  }

  warn(code: AuditCode, fields: AuditFields = {}, msg?: string): void {
    this.logger.warn({ event: code, ...fields }, msg ?? code);
  }

  error(code: AuditCode, fields: AuditFields = {}, msg?: string): void {
    this.logger.error({ event: code, ...fields }, msg ?? code);
  }

  child(bindings: AuditFields): AuditLog {
    return new PinoAudit(this.logger.child(bindings));
  }

  flush(): void {
    this.logger.flush();
  }
}

export function createAuditLog(opts: { level?: string; destination?: DestinationStream } = {}): AuditLog {
  const logger = pino(
    {
      level: opts.level ?? 'info',
      base: { service: 'bulwark' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    opts.destination ?? pino.destination({ dest: 1, sync: false }),
  );
  return new PinoAudit(logger);
}

/** An in-memory log for tests and for callers that want to inspect events. */
export function createMemoryAuditLog(): AuditLog & { readonly lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const destination: DestinationStream = {
    write(chunk: string) {
      lines.push(JSON.parse(chunk) as Record<string, unknown>);
    },
  };
  const log = createAuditLog({ level: 'trace', destination });
  return Object.assign(log, { lines });
}
