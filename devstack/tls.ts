/**
 * The devstack over HTTPS (DEVSTACK_TLS=1): a throw-away certificate authority and one server
 * certificate for the provider and the API, made at start with the `openssl` command.
 *
 * - The keys are made with node:crypto (ECDSA P-256); openssl only writes and signs the certificates,
 *   so any OpenSSL 1.1.1+ or LibreSSL 3+ works (Debian's, macOS's, Git for Windows').
 * - The CA may vouch only for the devstack's own names (critical `nameConstraints`: the given DNS
 *   names, 127.0.0.0/8 and ::1), and its private key is deleted as soon as the server certificate is
 *   signed: a developer who trusts `ca.pem` trusts it for nothing else, ever.
 * - Only `ca.pem` stays on disk, in a fresh owner-only temporary folder, for clients to trust
 *   (`NODE_EXTRA_CA_CERTS`); `dispose()` removes it. The server key never touches the disk after signing.
 *
 * openssl rather than an X.509 library from npm: nothing added to the app's dependencies for a
 * developer-only mode, and the certificate is written by the tool every platform's TLS folk know.
 */
import { execFile } from 'node:child_process';
import { X509Certificate, createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface DevstackCertificates {
  /** The CA certificate (PEM): what a client must trust. */
  caPem: string;
  /** Where `caPem` is on disk: `NODE_EXTRA_CA_CERTS=<caPath>`. */
  caPath: string;
  /** The server certificate (PEM) and its private key (PEM, PKCS #8), for `https.createServer`. */
  cert: string;
  key: string;
  /** The names the server certificate is valid for (DNS names and IP addresses). */
  names: string[];
  /**
   * base64 SHA-256 of the server certificate's public key (Chromium's
   * `--ignore-certificate-errors-spki-list`).
   */
  spkiHash: string;
  /** Removes the folder holding `ca.pem`. */
  dispose(): Promise<void>;
}

/** Dot-separated labels of letters, digits and inner hyphens (RFC 1123 §2.1). */
const HOST_NAME =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** Days the certificates are valid: a devstack is restarted long before. */
const VALID_DAYS = 7;

export class OpensslMissingError extends Error {
  constructor(options?: ErrorOptions) {
    super(
      'DEVSTACK_TLS=1 needs the openssl command (Debian/Ubuntu: apt-get install openssl; macOS has it; Windows: the one in Git for Windows, on PATH)',
      options,
    );
    this.name = 'OpensslMissingError';
  }
}

function openssl(args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('openssl', args, { cwd, timeout: 30_000 }, (error, _stdout, stderr) => {
      if ((error as NodeJS.ErrnoException | null)?.code === 'ENOENT') {
        reject(new OpensslMissingError({ cause: error }));
      } else if (error) {
        reject(
          new Error(`openssl ${args[0]} failed: ${stderr.trim() || error.message}`, {
            cause: error,
          }),
        );
      } else {
        resolve();
      }
    });
  });
}

function newKey(): string {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
}

function altName(name: string): string {
  return isIP(name) === 0 ? `DNS:${name}` : `IP:${name}`;
}

/** Makes the CA and a server certificate for `names` (127.0.0.1 and localhost are always included). */
export async function makeDevstackCertificates(
  names: readonly string[] = [],
): Promise<DevstackCertificates> {
  const all = [...new Set(['127.0.0.1', 'localhost', ...names.map((name) => name.toLowerCase())])];
  for (const name of all) {
    if (isIP(name) === 0 && !HOST_NAME.test(name)) {
      throw new TypeError(
        `not a host name for the devstack's certificate: ${JSON.stringify(name)}`,
      );
    }
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'devstack-tls-'));
  try {
    const caKey = newKey();
    const key = newKey();
    await writeFile(path.join(dir, 'ca.key'), caKey, { mode: 0o600 });
    await writeFile(path.join(dir, 'server.key'), key, { mode: 0o600 });
    const dnsNames = all.filter((name) => isIP(name) === 0);
    const permitted = [
      ...dnsNames.map((name) => `permitted;DNS:${name}`),
      'permitted;IP:127.0.0.0/255.0.0.0',
      'permitted;IP:::1/ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
    ].join(',');
    const id = randomBytes(4).toString('hex');
    await openssl(
      [
        'req',
        '-x509',
        '-new',
        '-key',
        'ca.key',
        '-sha256',
        '-days',
        String(VALID_DAYS),
        '-subj',
        `/O=Devstack/CN=Devstack throw-away CA ${id}`,
        '-addext',
        'basicConstraints=critical,CA:TRUE,pathlen:0',
        '-addext',
        'keyUsage=critical,keyCertSign,cRLSign',
        '-addext',
        `nameConstraints=critical,${permitted}`,
        '-out',
        'ca.pem',
      ],
      dir,
    );
    await openssl(
      [
        'req',
        '-new',
        '-key',
        'server.key',
        '-subj',
        `/O=Devstack/CN=${all[0]}`,
        '-out',
        'server.csr',
      ],
      dir,
    );
    await writeFile(
      path.join(dir, 'server.ext'),
      [
        'basicConstraints=critical,CA:FALSE',
        'keyUsage=critical,digitalSignature',
        'extendedKeyUsage=serverAuth',
        'subjectKeyIdentifier=hash',
        'authorityKeyIdentifier=keyid',
        `subjectAltName=${all.map(altName).join(',')}`,
        '',
      ].join('\n'),
    );
    await openssl(
      [
        'x509',
        '-req',
        '-in',
        'server.csr',
        '-CA',
        'ca.pem',
        '-CAkey',
        'ca.key',
        '-set_serial',
        `0x${randomBytes(16)
          .toString('hex')
          .replace(/^[89a-f]/, '7')}`,
        '-days',
        String(VALID_DAYS),
        '-sha256',
        '-extfile',
        'server.ext',
        '-out',
        'server.pem',
      ],
      dir,
    );
    const [caPem, cert] = await Promise.all([
      readFile(path.join(dir, 'ca.pem'), 'utf8'),
      readFile(path.join(dir, 'server.pem'), 'utf8'),
    ]);
    // Only the CA certificate stays: the CA can sign nothing more.
    await Promise.all(
      ['ca.key', 'server.key', 'server.csr', 'server.ext', 'server.pem'].map((file) =>
        rm(path.join(dir, file), { force: true }),
      ),
    );
    const spkiHash = createHash('sha256')
      .update(new X509Certificate(cert).publicKey.export({ type: 'spki', format: 'der' }))
      .digest('base64');
    return {
      caPem,
      caPath: path.join(dir, 'ca.pem'),
      cert,
      key,
      names: all,
      spkiHash,
      dispose: () => rm(dir, { recursive: true, force: true }),
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
