/**
 * The identity keys of the configuration: defaults, durations, and the refusals that keep plain
 * HTTP and the development IdP off the network.
 */
import { describe, expect, it } from 'vitest';
import { buildConfig, ConfigError } from '../src/config/index.js';

const build = (input: unknown) => buildConfig(input, { source: 'test.yaml', baseDir: '/srv/bulwark' });
const messageOf = (input: unknown): string => {
  try {
    build(input);
    return 'accepted';
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
};

describe('identity configuration', () => {
  it('has dev-friendly defaults: dev IdP on, loopback ports, 8h humans, 15m agents, CA in the state dir', () => {
    const c = build({});
    expect(c.oidc.issuers).toEqual([]);
    expect(c.devIdp).toEqual({ enabled: true, listen: '127.0.0.1:8421' });
    expect(c.issuer.listen).toBe('127.0.0.1:8422');
    expect(c.certificates).toMatchObject({ humanValidity: 8 * 3600, agentValidity: 900, maxValidity: 86400, sourceAddressPinning: false, caKey: '/srv/bulwark/state/user_ca' });
  });

  it('parses an issuer with defaults for claims and kind', () => {
    const c = build({ oidc: { issuers: [{ issuer: 'https://login.example.com', clientId: 'bulwark', principalsByGroup: { sre: ['deploy'] } }] }, certificates: { humanValidity: '1h' } });
    expect(c.oidc.issuers[0]).toMatchObject({ kind: 'auto', agentClients: [], claims: { subject: ['email', 'sub'], groups: 'groups', principals: 'principals' } });
    expect(c.certificates.humanValidity).toBe(3600);
  });

  it('refuses plain HTTP off loopback, a dev IdP off loopback, half-set TLS, issuers without audience, bad durations', () => {
    expect(messageOf({ issuer: { listen: '0.0.0.0:8422' } })).toMatch(/issuer\.listen: plain HTTP only on loopback/);
    expect(messageOf({ issuer: { listen: '0.0.0.0:8422', tlsCert: 'c.pem', tlsKey: 'k.pem' } })).toBe('accepted');
    expect(messageOf({ issuer: { tlsCert: 'c.pem' } })).toMatch(/tlsKey: set both/);
    expect(messageOf({ devIdp: { listen: '10.0.0.5:8421' } })).toMatch(/devIdp\.listen: the development IdP listens on loopback only/);
    expect(messageOf({ oidc: { issuers: [{ issuer: 'https://x.example' }] } })).toMatch(/set clientId or audience/);
    expect(messageOf({ certificates: { agentValidity: '15 minutes' } })).toMatch(/certificates\.agentValidity: a duration/);
  });
});
