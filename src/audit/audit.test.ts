import { describe, expect, it } from 'vitest';
import { createMemoryAuditLog } from './index.js';

describe('audit log', () => {
  it('writes the event code and child bindings on every line', () => {
    const log = createMemoryAuditLog();
    const conn = log.child({ subject: 'alice@example.com', kind: 'human', serial: '42' });
    conn.event('session.start', { mode: 'exec' });
    conn.warn('auth.failure', { reason: 'expired' });
    expect(log.lines).toHaveLength(2);
    expect(log.lines[0]).toMatchObject({ event: 'session.start', subject: 'alice@example.com', serial: '42', mode: 'exec', level: 'info' });
    expect(log.lines[1]).toMatchObject({ event: 'auth.failure', level: 'warn', reason: 'expired' });
  });

  it('redacts secret-looking fields', () => {
    const log = createMemoryAuditLog();
    log.event('auth.success', { token: 'eyJhbGciOi', nested: { password: 'hunter2' } });
    const line = JSON.stringify(log.lines[0]);
    expect(line).not.toContain('eyJhbGciOi');
    expect(line).not.toContain('hunter2');
    expect(line).toContain('[redacted]');
  });
});
