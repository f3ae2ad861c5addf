/**
 * The built-in demo provider's own addresses typed as "Your Auth0 tenant" (issue 22, H1): which
 * fields name it, and whether settings about to be saved point at it (Save must leave it running).
 */
import { describe, expect, it } from 'vitest';
import type { SettingsForm } from '../../src-preload/contract.ts';
import { demoAddressesIn, pointsAtDemo, sameServer } from '../../src-main/core/demo-addresses.ts';

const demo = {
  issuer: new URL('http://127.0.0.1:4000'),
  apiServerUrl: new URL('http://127.0.0.1:6060'),
};
const tenant = (values: SettingsForm['values']): SettingsForm => ({ provider: 'tenant', values });

describe('the demo provider’s addresses in a tenant form', () => {
  it('names each field that holds its issuer or its API, however it is written', () => {
    expect(
      demoAddressesIn(
        tenant({ AUTH0_DOMAIN: 'http://127.0.0.1:4000', API_SERVER_URL: 'http://127.0.0.1:6060/' }),
        demo,
      ),
    ).toEqual(['AUTH0_DOMAIN', 'API_SERVER_URL']);
    expect(demoAddressesIn(tenant({ AUTH0_DOMAIN: ' http://localhost:4000/ ' }), demo)).toEqual([
      'AUTH0_DOMAIN',
    ]);
    expect(demoAddressesIn(tenant({ API_SERVER_URL: 'http://[::1]:6060' }), demo)).toEqual([
      'API_SERVER_URL',
    ]);
  });

  it('names nothing for other addresses, half-typed ones, or the demo choice itself', () => {
    expect(
      demoAddressesIn(
        tenant({ AUTH0_DOMAIN: 'dev-x.us.auth0.com', API_SERVER_URL: 'http://127.0.0.1:6061' }),
        demo,
      ),
    ).toEqual([]);
    expect(demoAddressesIn(tenant({ AUTH0_DOMAIN: 'https://127.0.0.1:4000' }), demo)).toEqual([]);
    expect(demoAddressesIn(tenant({ AUTH0_DOMAIN: 'http://127.0.0.1:40' }), demo)).toEqual([]);
    expect(demoAddressesIn(tenant({ AUTH0_DOMAIN: 'my tenant' }), demo)).toEqual([]);
    expect(
      demoAddressesIn(
        { provider: 'demo', values: { AUTH0_DOMAIN: 'http://127.0.0.1:4000' } },
        demo,
      ),
    ).toEqual([]);
  });

  it('settings point at the demo provider when either its issuer or its API is theirs', () => {
    const other = new URL('https://dev-x.us.auth0.com/');
    expect(pointsAtDemo({ issuer: demo.issuer, apiServerUrl: other }, demo)).toBe(true);
    expect(
      pointsAtDemo({ issuer: other, apiServerUrl: new URL('http://localhost:6060') }, demo),
    ).toBe(true);
    expect(pointsAtDemo({ issuer: other, apiServerUrl: other }, demo)).toBe(false);
  });

  it('the same server: scheme and port, and the same host or both loopback', () => {
    expect(sameServer(new URL('http://127.0.0.1:4000/x'), new URL('http://localhost:4000'))).toBe(
      true,
    );
    expect(sameServer(new URL('https://a.example/'), new URL('https://a.example:443/'))).toBe(true);
    expect(sameServer(new URL('https://a.example/'), new URL('https://b.example/'))).toBe(false);
    expect(sameServer(new URL('http://127.0.0.1:4000'), new URL('http://127.0.0.1:4001'))).toBe(
      false,
    );
  });
});
