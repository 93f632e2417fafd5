/** Claim mapping as data in, data out: subject order, groups shapes, principals, kind rules. */
import { describe, expect, it } from 'vitest';
import { oidcIssuerSchema } from '../config/schema.js';
import { mapClaims } from './claims.js';

const cfg = (extra: Record<string, unknown> = {}) => oidcIssuerSchema.parse({ issuer: 'https://idp.example', clientId: 'cli', ...extra });

describe('mapClaims', () => {
  it('takes the first subject claim present and unions principals from the claim and group mapping', () => {
    const id = mapClaims({ sub: 's-1', email: 'a@example.com', groups: 'sre ops', principals: ['web'], aud: 'cli' }, cfg({ principalsByGroup: { sre: ['deploy'], nobody: ['root'] } }));
    expect(id).toMatchObject({ subject: 'a@example.com', groups: ['sre', 'ops'], principals: ['deploy', 'web'], kind: 'human', clientId: 'cli' });
    expect(mapClaims({ sub: 's-1' }, cfg()).subject).toBe('s-1');
  });

  it('uses the configured claim names', () => {
    const id = mapClaims({ sub: 'x', preferred_username: 'u@corp', roles: ['Bulwark.Deploy'] }, cfg({ claims: { subject: ['preferred_username'], groups: 'roles', principals: 'logins' }, principalsByGroup: { 'Bulwark.Deploy': ['deploy'] } }));
    expect(id).toMatchObject({ subject: 'u@corp', groups: ['Bulwark.Deploy'], principals: ['deploy'] });
  });

  it('kind: Okta cid = sub and agentClients are agents; kind: agent forces it; azp alone is a human client', () => {
    expect(mapClaims({ sub: '0oabot', cid: '0oabot' }, cfg()).kind).toBe('agent');
    expect(mapClaims({ sub: 'u', azp: 'bot' }, cfg({ agentClients: ['bot'] })).kind).toBe('agent');
    expect(mapClaims({ sub: 'repo:o/r:ref:refs/heads/main' }, cfg({ kind: 'agent' })).kind).toBe('agent');
    expect(mapClaims({ sub: 'u', azp: 'cli' }, cfg({ agentClients: ['bot'] })).kind).toBe('human');
  });

  it('refuses a missing or control-character subject and invalid principals', () => {
    expect(() => mapClaims({ email: 'x' }, cfg({ claims: { subject: ['upn'] } }))).toThrow(expect.objectContaining({ code: 'ERR_OIDC_CLAIMS' }));
    expect(() => mapClaims({ sub: 'a\nb' }, cfg())).toThrow(expect.objectContaining({ code: 'ERR_OIDC_CLAIMS' }));
    expect(() => mapClaims({ sub: 'a', principals: ['root;rm'] }, cfg())).toThrow(expect.objectContaining({ code: 'ERR_OIDC_CLAIMS' }));
  });
});
