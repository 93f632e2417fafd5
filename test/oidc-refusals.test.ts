/**
 * The issuing endpoint of a real `bulwark serve` configured with an external issuer (a real
 * oidc-provider on loopback, started by the test so it can also sign hostile tokens with the
 * provider's own key): every bad token and every over-reaching request is refused with a clear
 * error and a `cert.refused` audit event; with the IdP down, existing certificates keep working
 * and new logins say the IdP is unreachable.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { importJWK, SignJWT, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevIdp, type DevIdp } from '../src/oidc/index.js';
import { runSsh, startBulwark, type Bulwark } from './support/bulwark.js';
import { makeKey, tempDir } from './support/keys.js';
import { startLogin } from './support/login.js';

let idp: DevIdp;
let b: Bulwark;
let server: string;
let dir: string;
let idpKey: { kid: string; key: Awaited<ReturnType<typeof importJWK>> };
let userPub: string;

async function agentToken(): Promise<string> {
  const res = await fetch(`${idp.issuer}/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${idp.agent.clientId}:${idp.agent.clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

/** A token signed with the trusted provider's real key, with whatever claims the test wants. */
function forged(claims: JWTPayload, key = idpKey, alg = 'RS256'): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iss: idp.issuer, aud: 'bulwark-cli', sub: 'engineer', email: 'engineer@example.com', groups: ['engineers'], principals: ['deploy'], iat: now, exp: now + 300, ...claims })
    .setProtectedHeader({ alg, kid: key.kid })
    .sign(key.key);
}

async function post(body: unknown): Promise<{ status: number; body: Record<string, string> }> {
  const res = await fetch(`${server}/v1/certificates`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}

beforeAll(async () => {
  const idpDir = tempDir('bulwark-idp-');
  idp = await startDevIdp({ stateDir: idpDir, listen: '127.0.0.1:0' });
  const jwk = (JSON.parse(readFileSync(idp.stateFile, 'utf8')) as { jwks: { keys: (Record<string, unknown> & { kid: string })[] } }).jwks.keys[0]!;
  idpKey = { kid: jwk.kid, key: await importJWK(jwk, 'RS256') };
  dir = tempDir('bulwark-refusals-');
  b = await startBulwark({
    dir,
    configYaml: [
      'issuer: { listen: "127.0.0.1:0", sshAddress: "bastion.example.com:22" }',
      'oidc:',
      '  issuers:',
      `    - issuer: "${idp.issuer}"`,
      '      clientId: bulwark-cli',
      '      audience: [bulwark-cli, "urn:bulwark:certificates"]',
      `      agentClients: [${idp.agent.clientId}]`,
      '    - issuer: "http://127.0.0.1:9"',
      '      audience: ci',
      '',
    ].join('\n'),
  });
  server = String((await b.waitForLog((l) => l.event === 'identity.start' && l['component'] === 'issuer'))['url']);
  userPub = readFileSync(`${makeKey(dir, 'user')}.pub`, 'utf8');
});

afterAll(async () => {
  await b?.stop();
  await idp?.close();
});

describe('refusals', () => {
  it('does not start the development IdP when an issuer is configured', () => {
    expect(b.logs.some((l) => l.event === 'identity.start' && l['component'] === 'devIdp')).toBe(false);
    expect(b.stderr()).not.toContain('Development identity provider');
  });

  it('tells bulwark login the configured issuer, client id and the advertised SSH address', async () => {
    const info = (await (await fetch(`${server}/v1/login`)).json()) as Record<string, unknown>;
    expect(info).toMatchObject({ issuer: idp.issuer, clientId: 'bulwark-cli', ssh: { host: 'bastion.example.com', port: 22, alias: 'bulwark' } });
    expect(info).not.toHaveProperty('clientSecret');
  });

  it('refuses each bad token or request with a clear error and a cert.refused event', async () => {
    const good = await agentToken();
    const [h, p, s] = good.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claims, principals: ['deploy', 'root'] })).toString('base64url')}.${s}`;
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${p}.`;
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const unknownKey = { kid: randomUUID(), key: await importJWK(stranger.export({ format: 'jwk' }), 'RS256') };
    const untrusted = await new SignJWT({ sub: 'x', aud: 'bulwark-cli', exp: Math.floor(Date.now() / 1000) + 300 }).setIssuer('https://idp.attacker.example').setProtectedHeader({ alg: 'RS256', kid: 'k' }).sign(unknownKey.key);
    const cases: { name: string; token: string; principals?: string[]; status: number; code: RegExp; message: RegExp }[] = [
      { name: 'untrusted issuer', token: untrusted, status: 401, code: /ERR_OIDC_ISSUER_UNTRUSTED/, message: /not a configured issuer/ },
      { name: 'wrong audience', token: await forged({ aud: 'some-other-app' }), status: 401, code: /ERR_OIDC_AUDIENCE/, message: /issued for another client/ },
      { name: 'expired', token: await forged({ exp: Math.floor(Date.now() / 1000) - 600 }), status: 401, code: /ERR_OIDC_EXPIRED/, message: /expired.*log in again/ },
      { name: 'unknown key', token: await forged({}, unknownKey), status: 401, code: /ERR_OIDC_KEY_UNKNOWN/, message: /does not publish/ },
      { name: 'alg none', token: none, status: 401, code: /ERR_OIDC_ALG_REFUSED/, message: /"none" is not allowed/ },
      { name: 'tampered payload', token: tampered, status: 401, code: /ERR_OIDC_SIGNATURE_INVALID/, message: /altered or forged/ },
      { name: 'principal not granted', token: good, principals: ['root'], status: 403, code: /ERR_WEB_PRINCIPAL_NOT_GRANTED/, message: /may log in as deploy, not as root/ },
      { name: 'no principals at all', token: await forged({ principals: [], groups: ['interns'] }), status: 403, code: /ERR_WEB_NO_PRINCIPALS/, message: /ask an administrator/ },
    ];
    for (const c of cases) {
      const from = b.logs.length;
      const r = await post({ publicKey: userPub, token: c.token, ...(c.principals ? { principals: c.principals } : {}) });
      expect(r.status, c.name).toBe(c.status);
      expect(r.body['error'], c.name).toMatch(c.code);
      expect(r.body['message'], c.name).toMatch(c.message);
      const event = await b.waitForLog((l) => b.logs.indexOf(l) >= from && l.event === 'cert.refused');
      expect(event['code'], c.name).toMatch(c.code);
      expect(event['source'], c.name).toBe('127.0.0.1');
      expect(JSON.stringify(event), c.name).not.toContain(c.token.slice(-20));
    }
    // The refused principal request is attributed to the verified agent.
    const refused = b.logs.filter((l) => l.event === 'cert.refused' && l['code'] === 'ERR_WEB_PRINCIPAL_NOT_GRANTED').at(-1);
    expect(refused).toMatchObject({ subject: 'bulwark-demo-agent', kind: 'agent', client: 'bulwark-demo-agent', principals: ['root'] });
  });

  it('rejects malformed requests with 400 and says what to send', async () => {
    const res = await fetch(`${server}/v1/certificates`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hi' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/application\/json/);
    const bad = await post({ publicKey: 'ssh-ed25519 AAAA', token: await agentToken() });
    expect(bad).toMatchObject({ status: 400, body: { error: 'ERR_WEB_BAD_REQUEST' } });
  });

  it('answers 503 "unreachable" for a configured issuer that is down', async () => {
    const t = await new SignJWT({ sub: 'job', aud: 'ci', exp: Math.floor(Date.now() / 1000) + 300 }).setIssuer('http://127.0.0.1:9').setProtectedHeader({ alg: 'RS256', kid: idpKey.kid }).sign(idpKey.key);
    const r = await post({ publicKey: userPub, token: t });
    expect(r.status).toBe(503);
    expect(r.body).toMatchObject({ error: 'ERR_OIDC_IDP_UNREACHABLE' });
    expect(r.body['message']).toMatch(/unreachable.*existing certificates keep working/);
  });
});

describe('IdP down', () => {
  it('existing certificates keep working; a new login says the IdP is unreachable', async () => {
    const home = tempDir('bulwark-agent-');
    const env = { HOME: home, BULWARK_CLIENT_SECRET: idp.agent.clientSecret };
    const args = ['--server', server, '--agent', '--client-id', idp.agent.clientId, '--json', '--dir', home];
    const first = await startLogin(args, { cwd: home, env }).done;
    expect(first.code, first.stderr).toBe(0);
    const out = JSON.parse(first.stdout) as { key: string; certificate: string };
    await idp.close();
    const r = await runSsh({ port: b.port, key: out.key, cert: out.certificate, command: 'echo still-works' });
    expect(r.stdout).toBe('still-works\n');
    // Without --force the fresh certificate would simply be reused (no IdP needed).
    const reused = await startLogin(args, { cwd: home, env }).done;
    expect(reused.code, reused.stderr).toBe(0);
    const again = await startLogin([...args, '--force'], { cwd: home, env }).done;
    expect(again.code).toBe(75);
    expect(again.stderr).toMatch(/ERR_OIDC_IDP_UNREACHABLE: the identity provider http:\/\/127\.0\.0\.1:\d+ is unreachable/);
  });
});
