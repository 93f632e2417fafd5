/**
 * The issuing endpoint's handler on a real loopback HTTP server, with the token check injected
 * (oidc/ is tested on its own): what goes into certificates, refusals and their audit lines, and
 * the per-source refusal limit.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryAuditLog } from '../audit/index.js';
import { encodePublicKey, formatPublicKeyLine, parseCertificateLine, SerialLog } from '../ca/index.js';
import { OidcError, type OidcIdentity, type VerifiedToken } from '../oidc/index.js';
import { createIssuerHandler } from './issuer.js';

const ca = generateKeyPairSync('ed25519');
const userPub = formatPublicKeyLine(encodePublicKey(generateKeyPairSync('ed25519').publicKey));
const certificates = { humanValidity: 8 * 3600, agentValidity: 900, maxValidity: 3600, sourceAddressPinning: true };
let server: Server | undefined;
afterEach(() => server?.close());

async function endpoint(verify: (t: string) => Promise<VerifiedToken>, maxRefusalsPerMinute = 30) {
  const log = createMemoryAuditLog();
  const handler = createIssuerHandler({
    verify, caKey: ca.privateKey, caPublicLine: 'ssh-ed25519 AAAA ca', serials: new SerialLog(join(mkdtempSync(join(tmpdir(), 'bulwark-web-')), 'serials.log')),
    certificates, log, loginInfo: { issuer: 'https://idp.example', clientId: 'cli' }, maxRefusalsPerMinute,
  });
  server = createServer(handler);
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/certificates`;
  const post = async (body: unknown) => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  return { post, log };
}

const identity = (o: Partial<OidcIdentity>): VerifiedToken => ({
  claims: {},
  identity: { issuer: 'https://idp.example', subject: 'eng@example.com', kind: 'human', groups: ['engineers'], droppedGroups: [], principals: ['deploy', 'web'], clientId: 'cli', expiresAt: undefined, ...o },
});

describe('issuing endpoint', () => {
  it('refuses a body over 64 KiB with a clear 400, without reading it all', async () => {
    await endpoint(async () => identity({}));
    const url = `http://127.0.0.1:${(server!.address() as AddressInfo).port}/v1/certificates`;
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ publicKey: 'x'.repeat(70 * 1024) }) });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'ERR_WEB_BAD_REQUEST', message: 'request body is larger than 65536 bytes' });
  });

  it('issues what the identity needs: kind, groups, pty for humans only, capped validity, pinned source', async () => {
    const { post, log } = await endpoint(async () => identity({}));
    const human = await post({ publicKey: userPub, token: 't', principals: ['web'] });
    expect(human.status).toBe(200);
    const cert = parseCertificateLine(String(human.body['certificate']));
    expect(cert.principals).toEqual(['web']);
    expect(cert.extensions.map((e) => e.name)).toEqual(['groups@bulwark', 'kind@bulwark', 'permit-pty']);
    expect(Number(cert.validBefore - cert.validAfter)).toBe(3600 + 60);
    expect(cert.criticalOptions.map((o) => [o.name, Buffer.from(o.data ?? []).toString()])).toEqual([['source-address', '127.0.0.1']]);
    expect(log.lines.find((l) => l['event'] === 'cert.issued')).toMatchObject({ subject: 'eng@example.com', principals: ['web'], kind: 'human', client: 'cli', source: '127.0.0.1', serial: human.body['serial'] });

    const { post: postAgent } = await endpoint(async () => identity({ kind: 'agent', subject: 'bot', groups: [] }));
    const agent = parseCertificateLine(String((await postAgent({ publicKey: userPub, token: 't' })).body['certificate']));
    expect(agent.extensions.map((e) => e.name)).toEqual(['kind@bulwark']);
    expect(Number(agent.validBefore - agent.validAfter)).toBe(900 + 60);
  });

  it('limits refusals per source: after the limit, 429 until the minute ends; IdP outages do not count', async () => {
    let outage = true;
    const { post, log } = await endpoint(async () => {
      throw outage ? new OidcError('ERR_OIDC_IDP_UNREACHABLE', 'down') : new OidcError('ERR_OIDC_SIGNATURE_INVALID', 'forged');
    }, 3);
    for (let i = 0; i < 5; i++) expect((await post({ publicKey: userPub, token: 't' })).status).toBe(503);
    outage = false;
    for (let i = 0; i < 3; i++) expect((await post({ publicKey: userPub, token: 't' })).status).toBe(401);
    const limited = await post({ publicKey: userPub, token: 't' });
    expect(limited).toMatchObject({ status: 429, body: { error: 'ERR_WEB_RATE_LIMITED' } });
    expect(log.lines.filter((l) => l['event'] === 'cert.refused').map((l) => l['code'])).toEqual([
      ...Array(5).fill('ERR_OIDC_IDP_UNREACHABLE'), ...Array(3).fill('ERR_OIDC_SIGNATURE_INVALID'), 'ERR_WEB_RATE_LIMITED',
    ]);
  });
});
