/**
 * ca/testing: test-only harness around the real `ssh-keygen` (keys, certificates, KRLs, `-Q`
 * verdicts) in throwaway temp directories. Not part of ca's runtime API; never import it from
 * production code.
 *
 * Trust boundary: none (tests only). Private keys exist only inside the temp directory, which
 * `cleanup()` deletes.
 * Known limits: needs `ssh-keygen` (OpenSSH >= 8.2) on PATH; RSA keys are 2048-bit for speed.
 */
export * from './sshKeygen.js';
export * from './errors.js';
