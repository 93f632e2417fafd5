/**
 * ssh: the only importer of ssh2. Listens, authenticates with OpenSSH certificates (checked by
 * auth/, since ssh2 does not check certificates), and hands session channels to session/.
 *
 * Trust boundary: everything arriving on the socket is hostile until auth/ has verified the
 * certificate, the CA signature and the client's signature over this connection's session id.
 * SFTP and local port forwarding are decided by policy (session/transfer/); remote forwarding,
 * agent and X11 forwarding are refused outright.
 */
export { BulwarkServer, parseListen, type ServerOptions } from './server.js';
export { splitUsername, type AuthDecision, type AuthRequest, type Permits, type RateLimiter } from './connection.js';
export { ensureKeyPair, keyFingerprint, readKeyFile, type KeyFiles } from './keys.js';
export { SshError, type SshErrorCode } from './errors.js';
