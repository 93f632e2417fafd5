/**
 * `bulwark ca init | pubkey | sign` as an operator uses them: the CA it creates is what another
 * sshd (here: a second bulwark) trusts via `ca pubkey`, and `ca sign` certificates log in with the
 * real ssh carrying the identity given on the command line.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, runSsh, startBulwark } from './support/bulwark.js';
import { makeKey, tempDir } from './support/keys.js';

const cli = (dir: string, ...args: string[]) => spawnSync(process.execPath, [BIN, 'ca', ...args], { cwd: dir, encoding: 'utf8' });

describe('bulwark ca', () => {
  it('init creates an ed25519 CA once; pubkey prints it; sign issues certificates ssh accepts', async () => {
    const dir = tempDir('bulwark-ca-');
    const init = cli(dir, 'init');
    expect(init.status, init.stderr).toBe(0);
    expect(statSync(join(dir, 'state', 'user_ca')).mode & 0o777).toBe(0o600);
    const line = init.stdout.trim();
    expect(line).toMatch(/^ssh-ed25519 AAAA\S+ bulwark user CA$/);
    const again = cli(dir, 'init');
    expect(again.stderr).toContain('already exists; not replaced');
    expect(again.stdout.trim()).toBe(line);
    // ssh-keygen derives the same public key from the private key we wrote.
    expect(execFileSync('ssh-keygen', ['-y', '-f', join(dir, 'state', 'user_ca')], { encoding: 'utf8' }).trim().split(' ').slice(0, 2)).toEqual(line.split(' ').slice(0, 2));

    const pub = cli(dir, 'pubkey');
    expect(pub.stdout.trim()).toBe(line);
    writeFileSync(join(dir, 'trusted.pub'), `${pub.stdout}`);

    const key = makeKey(dir, 'ops');
    const signed = cli(dir, 'sign', '--key-id', 'oncall@example.com', '--principals', 'deploy', '--groups', 'sre,oncall', '--validity', '10m', '--source-address', '127.0.0.1/32', `${key}.pub`);
    expect(signed.status, signed.stderr).toBe(0);
    const out = JSON.parse(signed.stdout) as { certificate: string; serial: string };
    expect(out.certificate).toBe(`${key}-cert.pub`);
    expect(readFileSync(join(dir, 'state', 'issued-serials.log'), 'utf8')).toContain(`${out.serial}\t`);
    const listing = execFileSync('ssh-keygen', ['-L', '-f', out.certificate], { encoding: 'utf8' });
    expect(listing).toContain('Key ID: "oncall@example.com"');
    expect(listing).toContain('source-address 127.0.0.1/32');

    const other = tempDir('bulwark-other-');
    const b = await startBulwark({ dir: other, args: ['--user-ca', join(dir, 'trusted.pub')] });
    try {
      const r = await runSsh({ port: b.port, key, cert: out.certificate, command: 'echo signed-by-ca' });
      expect(r.stdout).toBe('signed-by-ca\n');
      await b.waitForLog((l) => l.event === 'session.start' && l['subject'] === 'oncall@example.com' && l['kind'] === 'human' && JSON.stringify(l['groups']) === '["sre","oncall"]' && l['serial'] === out.serial);
    } finally {
      await b.stop();
    }
  });

  it('refuses bad arguments with usage errors and no certificate', () => {
    const dir = tempDir('bulwark-ca-');
    expect(cli(dir, 'init').status).toBe(0);
    const key = makeKey(dir, 'k');
    expect(cli(dir, 'sign', '--principals', 'deploy', `${key}.pub`).status).toBe(64);
    expect(cli(dir, 'sign', '--key-id', 'x', '--principals', 'deploy', '--validity', 'forever', `${key}.pub`).status).toBe(64);
    expect(cli(dir, 'sign', '--key-id', 'x', '--principals', 'deploy', '--source-address', '10.0.0.1/8', `${key}.pub`).status).toBe(64);
    const r = cli(dir, 'sign', '--key-id', 'x', '--principals', 'de ploy,', `${key}.pub`);
    expect(r.status).toBe(65);
    expect(r.stderr).toContain('ERR_CERT_ISSUE_INVALID');
    const missing = cli(tempDir(), 'pubkey');
    expect(missing.status).toBe(78);
    expect(missing.stderr).toMatch(/bulwark ca init/);
  });
});
