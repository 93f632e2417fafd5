/**
 * The listener: an ssh2 Server bound to the configured address, tracking live sessions so a
 * SIGTERM can stop accepting, tell every open session, and exit once they end or the grace period
 * runs out.
 */
import type { AddressInfo } from 'node:net';
import ssh2 from 'ssh2';
import type { AuditLog } from '../audit/index.js';
import type { Config } from '../config/index.js';
import type { SessionHandle, SessionServices } from '../session/index.js';
import { handleConnection, type AuthDecision, type AuthRequest, type RateLimiter } from './connection.js';
import { SshError } from './errors.js';

export interface ServerOptions {
  readonly config: Config;
  readonly log: AuditLog;
  readonly hostKey: Buffer;
  readonly authorize: (req: AuthRequest) => AuthDecision;
  readonly rateLimiter: RateLimiter;
  readonly services: SessionServices;
}

export function parseListen(listen: string): { host: string; port: number } {
  const i = listen.lastIndexOf(':');
  const host = listen.slice(0, i).replace(/^\[|\]$/g, '');
  return { host, port: Number(listen.slice(i + 1)) };
}

export class BulwarkServer {
  private readonly server: ssh2.Server;
  private readonly sessions = new Set<SessionHandle>();
  private readonly connections = new Set<ssh2.Connection>();
  private stopping = false;

  constructor(private readonly opts: ServerOptions) {
    const { config } = opts;
    this.server = new ssh2.Server(
      {
        hostKeys: [opts.hostKey],
        ident: 'bulwark',
        keepaliveInterval: config.keepaliveSeconds * 1000,
        keepaliveCountMax: 3,
      },
      (client, info) => {
        if (this.stopping || this.connections.size >= config.maxSessions) {
          opts.log.warn('conn.refused', { source: `${info.ip}:${info.port}`, reason: this.stopping ? 'shutting down' : 'at capacity' });
          client.end();
          return;
        }
        this.connections.add(client);
        client.on('close', () => this.connections.delete(client));
        handleConnection(client, info, {
          config,
          services: opts.services,
          log: opts.log,
          authorize: opts.authorize,
          rateLimiter: opts.rateLimiter,
          track: (h) => {
            this.sessions.add(h);
            return () => this.sessions.delete(h);
          },
        });
      },
    );
    // A malformed packet or a vanished client surfaces here or on the connection; never crash.
    this.server.on('error', (err: Error) => opts.log.warn('conn.error', { error: err.message }));
  }

  listen(): Promise<AddressInfo> {
    const { host, port } = parseListen(this.opts.config.listen);
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(new SshError('ERR_SSH_LISTEN', `cannot listen on ${this.opts.config.listen}: ${err.message}`, { cause: err }));
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        const addr = this.server.address() as AddressInfo;
        this.opts.log.event('server.start', { address: addr.address, port: addr.port });
        resolve(addr);
      });
    });
  }

  get activeSessions(): number {
    return this.sessions.size;
  }

  /** Stop accepting, tell open sessions, wait for them up to `graceMs`, then end them. */
  async shutdown(graceMs = this.opts.config.shutdownGraceSeconds * 1000): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.opts.log.event('server.stopping', { sessions: this.sessions.size, graceMs });
    const closed = new Promise<void>((r) => this.server.close(() => r()));
    const open = [...this.sessions];
    const secs = Math.round(graceMs / 1000);
    for (const h of open) h.notify(`bulwark is shutting down; this session will be closed in ${secs}s`);
    const allDone = Promise.all(open.map((h) => h.done));
    const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), graceMs).unref());
    if ((await Promise.race([allDone, timer])) === 'timeout') {
      await Promise.all(open.map((h) => h.terminate('bulwark shut down')));
    }
    for (const c of this.connections) c.end();
    await Promise.race([closed, new Promise((r) => setTimeout(r, 2000).unref())]);
    this.opts.log.event('server.stop', {});
  }
}
