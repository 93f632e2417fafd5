/**
 * The catalogue of audit event codes. Codes are part of the external contract: SIEM rules match
 * on them, so they are only ever added, never renamed. Documented in docs/audit-events.md.
 */
export const AUDIT_EVENTS = {
  'server.start': 'bulwark started listening',
  'server.stopping': 'shutdown requested; no new connections',
  'server.stop': 'bulwark stopped',
  'conn.open': 'TCP connection accepted',
  'conn.close': 'connection closed',
  'conn.error': 'protocol or socket error on a connection',
  'conn.refused': 'connection refused before authentication (shutdown, rate limit, capacity)',
  'auth.success': 'certificate accepted; identity established',
  'auth.failure': 'authentication attempt refused, with the reason',
  'auth.ratelimited': 'source address blocked after repeated failures',
  'session.start': 'session channel started (shell or exec)',
  'session.end': 'session ended, with duration and exit status',
  'session.refused': 'a session request (pty, shell, exec, subsystem, forwarding) was refused',
  'command.judged': 'a command line was judged: verdict, rule, intents',
  'revocation.reload': 'revocation list (re)loaded',
  'revocation.error': 'revocation list could not be loaded; previous one kept or all refused',
  'policy.reload': 'policy set (re)loaded',
  'policy.error': 'policy set rejected; previous one kept',
  'recording.failure': 'a session recording could not be written',
  'recording.removed': 'retention removed a recording older than the configured maximum age',
  'cert.issued': 'a certificate was issued after an OIDC token was verified',
  'cert.refused': 'a certificate request was refused (bad token, principals not granted, malformed)',
  'identity.start': 'the certificate issuing endpoint or the development IdP started listening',
  'identity.error': 'an identity service could not start; SSH login with existing certificates still works',
  'web.start': 'the auditor console started listening',
  'web.login': 'someone signed in to the auditor console',
  'web.login.failed': 'a console sign-in failed or is unavailable',
  'web.logout': 'someone signed out of the auditor console',
  'web.view': 'a recording was viewed in the console (page, cast download or live stream)',
  'web.denied': 'a console request was refused (group, CSRF, not found) or failed',
  'review.decided.web': 'a review request was approved or denied in the console',
} as const;

export type AuditCode = keyof typeof AUDIT_EVENTS;
