/**
 * The devstack's throw-away CA (devstack/tls.ts): a server certificate for exactly the devstack's
 * names, a CA that can vouch for nothing else and whose key is gone, and only ca.pem left on disk.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate, createHash, createPrivateKey } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeDevstackCertificates } from '../../devstack/tls.ts';

describe('makeDevstackCertificates', () => {
  it('makes a server certificate for the devstack names, signed by a CA whose key is gone', async () => {
    const certs = await makeDevstackCertificates(['IDP.corp.test', 'api.corp.test']);
    try {
      const ca = new X509Certificate(certs.caPem);
      const leaf = new X509Certificate(certs.cert);
      expect(ca.ca).toBe(true);
      expect(leaf.ca).toBe(false);
      expect(leaf.checkIssued(ca)).toBe(true);
      expect(leaf.verify(ca.publicKey)).toBe(true);
      expect(leaf.subjectAltName).toBe(
        'IP Address:127.0.0.1, DNS:localhost, DNS:idp.corp.test, DNS:api.corp.test',
      );
      expect(certs.names).toEqual(['127.0.0.1', 'localhost', 'idp.corp.test', 'api.corp.test']);
      for (const name of ['idp.corp.test', 'localhost']) expect(leaf.checkHost(name)).toBe(name);
      expect(leaf.checkIP('127.0.0.1')).toBe('127.0.0.1');
      expect(leaf.checkHost('evil.example')).toBeUndefined();
      expect(createPrivateKey(certs.key).asymmetricKeyDetails).toMatchObject({
        namedCurve: 'prime256v1',
      });
      // Only ca.pem remains, in an owner-only folder.
      expect(readdirSync(path.dirname(certs.caPath))).toEqual(['ca.pem']);
      expect(statSync(path.dirname(certs.caPath)).mode & 0o077).toBe(0);
      expect(certs.spkiHash).toBe(
        createHash('sha256')
          .update(leaf.publicKey.export({ type: 'spki', format: 'der' }))
          .digest('base64'),
      );
      // The CA may vouch only for those names and loopback (critical name constraints).
      const constraints = execFileSync(
        'openssl',
        ['x509', '-noout', '-ext', 'nameConstraints', '-in', certs.caPath],
        { encoding: 'utf8' },
      );
      expect(constraints).toMatch(/critical/);
      expect(constraints.replace(/\s+/g, ' ')).toMatch(
        /Permitted: DNS:localhost DNS:idp\.corp\.test DNS:api\.corp\.test IP:127\.0\.0\.0\/255\.0\.0\.0 IP:0:0:0:0:0:0:0:1\/FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF/,
      );
    } finally {
      await certs.dispose();
    }
    expect(existsSync(path.dirname(certs.caPath))).toBe(false);
  });

  it('makes a new CA at every start', async () => {
    const [one, two] = await Promise.all([makeDevstackCertificates(), makeDevstackCertificates()]);
    try {
      expect(one.caPem).not.toBe(two.caPem);
      expect(one.caPath).not.toBe(two.caPath);
    } finally {
      await Promise.all([one.dispose(), two.dispose()]);
    }
  });

  it('refuses a name that is not a host name (nothing reaches openssl)', async () => {
    await expect(makeDevstackCertificates(['idp.corp.test,DNS:evil.example'])).rejects.toThrow(
      /not a host name/,
    );
    await expect(makeDevstackCertificates(['-config'])).rejects.toThrow(/not a host name/);
    await expect(makeDevstackCertificates(['a..b'])).rejects.toThrow(/not a host name/);
  });
});
