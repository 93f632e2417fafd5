import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './index.js';

function tmpFile(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-config-'));
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  it('has working defaults and resolves paths against the working directory', () => {
    const c = loadConfig(undefined, {}, '/srv/b');
    expect(c.listen).toBe('127.0.0.1:2222');
    expect(c.state).toBe('/srv/b/state');
    expect(c.hostKey).toBe('/srv/b/state/host_ed25519_key');
    expect(c.defaultKind).toBe('agent');
    expect(c.defaultTarget).toBe('local');
    expect(c.onRecordingFailure).toBe('terminate');
    expect(c.policies.endsWith('/policies')).toBe(true);
  });

  it('is frozen deeply', () => {
    const c = loadConfig(undefined, {});
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.targets[0])).toBe(true);
    expect(() => {
      (c as { listen: string }).listen = 'x';
    }).toThrow();
  });

  it('reads YAML, resolves paths against the file, and lets flags win', () => {
    const f = tmpFile('bulwark.yaml', 'listen: 0.0.0.0:2022\nstate: st\nrecordings: /var/rec\nclockSkewSeconds: 5\n');
    const c = loadConfig(f, { listen: '127.0.0.1:0' });
    expect(c.listen).toBe('127.0.0.1:0');
    expect(c.state).toBe(join(f, '..', 'st'));
    expect(c.recordings).toBe('/var/rec');
    expect(c.clockSkewSeconds).toBe(5);
  });

  it('resolves the TLS files of the issuer and the console against the config file too', () => {
    const f = tmpFile('b.yaml', 'issuer:\n  tlsCert: tls/issuer.crt\n  tlsKey: tls/issuer.key\nconsole:\n  tlsCert: tls/console.crt\n  tlsKey: tls/console.key\n');
    const c = loadConfig(f);
    expect(c.issuer.tlsCert).toBe(join(f, '..', 'tls', 'issuer.crt'));
    expect(c.console.tlsKey).toBe(join(f, '..', 'tls', 'console.key'));
  });

  it('names the bad key', () => {
    const f = tmpFile('c.yaml', 'listen: nope\ntargets:\n  - name: Prod Box\n');
    const e = errorOf(() => loadConfig(f));
    expect(e.code).toBe('ERR_CONFIG_INVALID');
    expect(e.message).toContain('listen: expected HOST:PORT');
    expect(e.message).toContain('targets.0.name');
    expect(e.message).toContain(f);
  });

  it('refuses unknown keys so a typo cannot disable a protection', () => {
    const e = errorOf(() => loadConfig(tmpFile('c.yaml', 'onRecordingFailur: continue\n')));
    expect(e.code).toBe('ERR_CONFIG_INVALID');
    expect(e.message).toMatch(/onRecordingFailur/);
  });

  it('refuses duplicate targets and an unknown default target', () => {
    const e = errorOf(() =>
      loadConfig(tmpFile('c.yaml', 'targets:\n  - name: a\n  - name: a\ndefaultTarget: b\n')),
    );
    expect(e.message).toContain('duplicate target "a"');
    expect(e.message).toContain('defaultTarget: no target named "b"');
  });

  it('reports YAML syntax errors with the line', () => {
    const e = errorOf(() => loadConfig(tmpFile('c.yaml', 'listen: [\n  oops\nstate: x: y\n')));
    expect(e.code).toBe('ERR_CONFIG_SYNTAX');
    expect(e.message).toMatch(/line \d+/);
  });

  it('reports an unreadable file', () => {
    const e = errorOf(() => loadConfig('/nonexistent/bulwark.yaml'));
    expect(e.code).toBe('ERR_CONFIG_READ');
  });
});
