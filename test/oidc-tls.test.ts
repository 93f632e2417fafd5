/**
 * The issuing endpoint over HTTPS (issuer.tlsCert/tlsKey): `bulwark login --agent` gets a
 * certificate through it when it trusts the endpoint's certificate, and refuses to talk to it
 * otherwise.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevIdp, type DevIdp } from '../src/oidc/index.js';
import { runSsh, startBulwark, type Bulwark } from './support/bulwark.js';
import { tempDir } from './support/keys.js';
import { startLogin } from './support/login.js';

let idp: DevIdp;
let b: Bulwark;
let server: string;
let dir: string;

beforeAll(async () => {
  dir = tempDir('bulwark-tls-');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=bulwark test',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'tls.key'), '-out', join(dir, 'tls.crt')], { stdio: 'pipe' });
  idp = await startDevIdp({ stateDir: tempDir('bulwark-idp-'), listen: '127.0.0.1:0' });
  b = await startBulwark({
    dir,
    configYaml: `issuer: { listen: "127.0.0.1:0", tlsCert: tls.crt, tlsKey: tls.key }\noidc:\n  issuers:\n    - { issuer: "${idp.issuer}", clientId: bulwark-cli, audience: [bulwark-cli, "urn:bulwark:certificates"] }\n`,
  });
  server = String((await b.waitForLog((l) => l.event === 'identity.start' && l['component'] === 'issuer'))['url']);
});

afterAll(async () => {
  await b?.stop();
  await idp?.close();
});

describe('issuing endpoint over TLS', () => {
  it('serves https and issues to a client that trusts its certificate', async () => {
    expect(server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const home = tempDir('bulwark-agent-');
    const args = ['--server', server, '--agent', '--client-id', idp.agent.clientId, '--json', '--dir', home];
    const untrusted = await startLogin(args, { cwd: home, env: { BULWARK_CLIENT_SECRET: idp.agent.clientSecret } }).done;
    expect(untrusted.code).toBe(1);
    expect(untrusted.stderr).toMatch(/TLS certificate of https:\/\/127\.0\.0\.1:\d+ is not trusted \(self[- ]signed certificate\)/);
    const ok = await startLogin(args, { cwd: home, env: { BULWARK_CLIENT_SECRET: idp.agent.clientSecret, NODE_EXTRA_CA_CERTS: join(dir, 'tls.crt') } }).done;
    expect(ok.code, ok.stderr).toBe(0);
    const out = JSON.parse(ok.stdout) as { key: string; certificate: string };
    const r = await runSsh({ port: b.port, key: out.key, cert: out.certificate, command: 'echo over-tls' });
    expect(r.stdout).toBe('over-tls\n');
  });
});
