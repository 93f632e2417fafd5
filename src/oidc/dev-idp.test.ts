/**
 * The development IdP keeps its identity across restarts (password, agent secret, signing key in
 * state/dev-idp.json, 0600), so tokens and the printed password stay valid.
 */
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { oidcIssuerSchema } from '../config/schema.js';
import { startDevIdp } from './dev-idp.js';
import { TokenVerifier } from './verify.js';

async function agentToken(issuer: string, id: string, secret: string): Promise<string> {
  const res = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

describe('development IdP', () => {
  it('persists its secrets and signing key: a token from before a restart verifies after it', async () => {
    const state = mkdtempSync(join(tmpdir(), 'bulwark-devidp-'));
    const first = await startDevIdp({ stateDir: state, listen: '127.0.0.1:0' });
    const token = await agentToken(first.issuer, first.agent.clientId, first.agent.clientSecret);
    await first.close();
    expect(statSync(first.stateFile).mode & 0o777).toBe(0o600);
    const second = await startDevIdp({ stateDir: state, listen: `127.0.0.1:${first.port}` });
    try {
      expect(second.engineer.password).toBe(first.engineer.password);
      expect(second.agent.clientSecret).toBe(first.agent.clientSecret);
      const v = new TokenVerifier([oidcIssuerSchema.parse({ issuer: second.issuer, audience: [...second.audience] })]);
      expect((await v.verify(token)).identity).toMatchObject({ subject: 'bulwark-demo-agent', kind: 'agent', groups: ['agents'], principals: ['deploy'] });
    } finally {
      await second.close();
    }
  });

  it('refuses to start on a port that is taken, with its own code', async () => {
    const state = mkdtempSync(join(tmpdir(), 'bulwark-devidp-'));
    const a = await startDevIdp({ stateDir: state, listen: '127.0.0.1:0' });
    try {
      await expect(startDevIdp({ stateDir: state, listen: `127.0.0.1:${a.port}` })).rejects.toMatchObject({ code: 'ERR_OIDC_DEV_IDP' });
    } finally {
      await a.close();
    }
  });
});
