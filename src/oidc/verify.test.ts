/**
 * TokenVerifier against a real HTTP discovery + JWKS server on loopback whose keys the test
 * rotates: caching, refetch on an unknown kid, and every refusal with its own code.
 */
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oidcIssuerSchema } from '../config/schema.js';
import { TokenVerifier } from './verify.js';

interface Key { kid: string; privateKey: KeyObject; jwk: Record<string, unknown> }
function rsaKey(): Key {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomUUID();
  return { kid, privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' } };
}

let server: Server;
let issuer: string;
let published: Key[] = [];
let jwksFetches = 0;
const keyA = rsaKey();
const keyB = rsaKey();

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/.well-known/openid-configuration') res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }));
    else if (req.url === '/jwks') {
      jwksFetches++;
      res.end(JSON.stringify({ keys: published.map((k) => k.jwk) }));
    } else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  published = [keyA];
});
afterAll(() => server.close());

const verifier = () =>
  new TokenVerifier([oidcIssuerSchema.parse({ issuer, clientId: 'bulwark-cli', agentClients: ['robot'], principalsByGroup: { engineers: ['deploy'] } })], { jwksCooldownMs: 0 });

function token(key: Key, claims: JWTPayload = {}, opts: { alg?: string; exp?: number | string } = {}): Promise<string> {
  return new SignJWT({ email: 'eng@example.com', groups: ['engineers', 'Domain Users'], ...claims })
    .setProtectedHeader({ alg: opts.alg ?? 'RS256', kid: key.kid })
    .setIssuer(typeof claims.iss === 'string' ? claims.iss : issuer)
    .setAudience((claims.aud as string | undefined) ?? 'bulwark-cli')
    .setSubject(typeof claims.sub === 'string' ? claims.sub : 'u-1')
    .setIssuedAt()
    .setExpirationTime(opts.exp ?? '5m')
    .sign(key.privateKey);
}

const codeOf = async (p: Promise<unknown>): Promise<string> => p.then(() => 'accepted', (e: { code?: string }) => e.code ?? String(e));

describe('TokenVerifier', () => {
  it('accepts a good token and maps its claims; unsafe groups are dropped and reported', async () => {
    const v = await verifier().verify(await token(keyA));
    expect(v.identity).toMatchObject({ subject: 'eng@example.com', kind: 'human', groups: ['engineers'], droppedGroups: ['Domain Users'], principals: ['deploy'], clientId: 'bulwark-cli' });
  });

  it('caches the JWKS, refetches once on an unknown kid (rotation), and refuses keys no longer published', async () => {
    const v = verifier();
    published = [keyA];
    jwksFetches = 0;
    await v.verify(await token(keyA));
    await v.verify(await token(keyA));
    expect(jwksFetches).toBe(1);
    published = [keyB];
    expect((await v.verify(await token(keyB))).identity.subject).toBe('eng@example.com');
    expect(jwksFetches).toBe(2);
    expect(await codeOf(v.verify(await token(keyA)))).toBe('ERR_OIDC_KEY_UNKNOWN');
    published = [keyA];
  });

  it('refuses each bad token with its own code', async () => {
    const v = verifier();
    const good = await token(keyA);
    const [h, p, s] = good.split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...payload, principals: ['root'] })).toString('base64url')}.${s}`;
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${p}.`;
    const hs = await new SignJWT(payload).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('a shared secret of at least 32 bytes!!'));
    const cases: [string, Promise<string> | string][] = [
      ['ERR_OIDC_SIGNATURE_INVALID', tampered],
      ['ERR_OIDC_ALG_REFUSED', none],
      ['ERR_OIDC_ALG_REFUSED', hs],
      ['ERR_OIDC_AUDIENCE', token(keyA, { aud: 'someone-else' })],
      ['ERR_OIDC_EXPIRED', token(keyA, {}, { exp: Math.floor(Date.now() / 1000) - 3600 })],
      ['ERR_OIDC_NOT_YET_VALID', token(keyA, { nbf: Math.floor(Date.now() / 1000) + 3600 })],
      ['ERR_OIDC_ISSUER_UNTRUSTED', token(keyA, { iss: 'https://evil.example' })],
      ['ERR_OIDC_KEY_UNKNOWN', token(rsaKey())],
      ['ERR_OIDC_TOKEN_MALFORMED', 'not-a-jwt'],
      ['ERR_OIDC_CLAIMS', token(keyA, { email: undefined, principals: ['bad name'] })],
    ];
    for (const [expected, t] of cases) expect(await codeOf(v.verify(await t)), expected).toBe(expected);
  });

  it('says the IdP is unreachable when discovery fails, and retries discovery later', async () => {
    const dead = oidcIssuerSchema.parse({ issuer: 'http://127.0.0.1:9', clientId: 'c' });
    const v = new TokenVerifier([dead], { fetchTimeoutMs: 2000 });
    const t = await token(keyA, { iss: 'http://127.0.0.1:9', aud: 'c' });
    expect(await codeOf(v.verify(t))).toBe('ERR_OIDC_IDP_UNREACHABLE');
    expect(await codeOf(v.verify(t))).toBe('ERR_OIDC_IDP_UNREACHABLE');
  });

  it('marks client-credentials tokens and configured agent clients as agents', async () => {
    const v = verifier();
    // RFC 9068: a client credentials token's subject is the client itself (not in agentClients here).
    const cc = await token(keyA, { sub: 'ci-bot', client_id: 'ci-bot', email: undefined, aud: 'bulwark-cli' });
    expect((await v.verify(cc)).identity).toMatchObject({ kind: 'agent', subject: 'ci-bot', clientId: 'ci-bot' });
    const azp = await token(keyA, { azp: 'robot' });
    expect((await v.verify(azp)).identity.kind).toBe('agent');
  });
});
