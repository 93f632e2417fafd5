/**
 * audit: typed audit events with stable codes, emitted as pino JSON lines.
 *
 * Trust boundary: receives already-validated data from the rest of bulwark; redacts fields named
 * like secrets as a last line of defence. Known limits: the log goes to stdout (or a stream the
 * caller gives); shipping it to a SIEM is the deployment's job.
 */
export { AUDIT_EVENTS, type AuditCode } from './events.js';
export { createAuditLog, createMemoryAuditLog, type AuditLog, type AuditFields } from './log.js';
