import { randomBytes, scrypt, timingSafeEqual, createHash } from 'node:crypto';
import { promisify } from 'node:util';

const scryptAsync = promisify(scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
) => Promise<Buffer>;

/** The one client the devstack knows: the desktop app (native, public, PKCE). */
export const CLIENT_ID = 'electron-hello-world';
/**
 * The app's private-use URI scheme (RFC 8252 §7.1): its reverse-DNS id (electron-builder's `appId`)
 * in lower case. The devstack registers `<scheme>:/callback` for the app-link sign-in.
 */
export const APP_LINK_SCHEME = 'com.example.electron-auth0-hello-world';
/** Identifier of the Hello World API, sent by the app as Auth0's `audience` parameter. */
export const AUDIENCE = 'https://hello-world.example.com';
/** The permission the Admin message needs (Auth0 RBAC: carried in the `permissions` claim). */
export const ADMIN_PERMISSION = 'read:admin-messages';
/** Sign-up rule, shown on the page. */
export const MIN_PASSWORD_LENGTH = 8;

export interface DemoAccount {
  readonly email: string;
  readonly password: string;
  readonly name: string;
  readonly permissions: readonly string[];
}

/** Seeded in every devstack. Sign-ups are kept in memory (forgotten on restart) unless persisted. */
export const DEMO_ACCOUNTS: readonly DemoAccount[] = Object.freeze([
  Object.freeze({
    email: 'alice@example.com',
    password: 'wonderland',
    name: 'Alice Liddell',
    permissions: Object.freeze([ADMIN_PERMISSION]),
  }),
  Object.freeze({
    email: 'bob@example.com',
    password: 'builder',
    name: 'Bob Builder',
    permissions: Object.freeze([]),
  }),
]);

export interface StoredAccount {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly emailVerified: boolean;
  readonly permissions: readonly string[];
  readonly updatedAt: Date;
  readonly salt: Buffer;
  readonly hash: Buffer;
}

/** Standard OIDC profile claims, shaped the way Auth0 puts them in the ID token. */
export interface ProfileClaims {
  sub: string;
  name: string;
  nickname: string;
  picture: string;
  email: string;
  email_verified: boolean;
  updated_at: string;
}

export type SignUpResult =
  { ok: true; account: StoredAccount } | { ok: false; message: string; reason?: 'exists' };

/** A signed-up account as it is saved: the scrypt salt and hash of the password, never the password. */
export interface SavedAccount {
  id: string;
  email: string;
  name: string;
  emailVerified: boolean;
  permissions: string[];
  updatedAt: string;
  kdf: 'scrypt';
  /** base64url */
  salt: string;
  /** base64url */
  hash: string;
}

/** Where sign-ups are kept across restarts (startDevstack's dataDir). */
export interface AccountPersistence {
  /** What was saved before (undefined: nothing yet). */
  saved: unknown;
  /** Saves every signed-up account; resolves once they are on disk. */
  save(accounts: SavedAccount[]): Promise<void>;
}

const KEY_LENGTH = 32;

function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

async function hashPassword(password: string, salt: Buffer): Promise<Buffer> {
  return scryptAsync(password, salt, KEY_LENGTH);
}

/** Stable, Auth0-looking subject for the seeded accounts (`auth0|` + a hash of the email). */
function seededSubject(email: string): string {
  return `auth0|${createHash('sha256').update(email).digest('hex').slice(0, 24)}`;
}

const AVATAR_COLORS = ['#635dff', '#0a7c59', '#b3261e', '#8a4b00', '#1f6feb', '#7b2cbf'];

export function initialsOf(name: string, email: string): string {
  const words = name
    .trim()
    .split(/\s+/u)
    .filter((word) => word.length > 0);
  const letters =
    words.length > 0 ? words.slice(0, 2).map((word) => word[0] ?? '') : [email[0] ?? '?'];
  return letters.join('').toUpperCase();
}

/** A small inline SVG avatar with the user's initials (no external hosts, like Auth0's default). */
export function avatarDataUri(name: string, email: string): string {
  const digest = createHash('sha256').update(email).digest();
  const color = AVATAR_COLORS[(digest[0] ?? 0) % AVATAR_COLORS.length] ?? '#635dff';
  const initials = initialsOf(name, email).replace(/[^\p{L}\p{N}]/gu, '');
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">` +
    `<rect width="64" height="64" rx="32" fill="${color}"/>` +
    `<text x="32" y="33" dominant-baseline="middle" text-anchor="middle" font-family="Arial,Helvetica,sans-serif" font-size="26" font-weight="600" fill="#fff">${initials}</text>` +
    `</svg>`;
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}

function toSaved(account: StoredAccount): SavedAccount {
  return {
    id: account.id,
    email: account.email,
    name: account.name,
    emailVerified: account.emailVerified,
    permissions: [...account.permissions],
    updatedAt: account.updatedAt.toISOString(),
    kdf: 'scrypt',
    salt: account.salt.toString('base64url'),
    hash: account.hash.toString('base64url'),
  };
}

/** A saved account, or undefined when the record is not one this store wrote. */
function fromSaved(value: unknown): StoredAccount | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Partial<Record<keyof SavedAccount, unknown>>;
  const { id, email, name, emailVerified, permissions, updatedAt, kdf, salt, hash } = record;
  if (
    typeof id !== 'string' ||
    typeof email !== 'string' ||
    typeof name !== 'string' ||
    typeof emailVerified !== 'boolean' ||
    !Array.isArray(permissions) ||
    !permissions.every((each) => typeof each === 'string') ||
    typeof updatedAt !== 'string' ||
    Number.isNaN(Date.parse(updatedAt)) ||
    kdf !== 'scrypt' ||
    typeof salt !== 'string' ||
    typeof hash !== 'string'
  ) {
    return undefined;
  }
  const hashBytes = Buffer.from(hash, 'base64url');
  if (hashBytes.length !== KEY_LENGTH) return undefined;
  return Object.freeze({
    id,
    email: normalizeEmail(email),
    name,
    emailVerified,
    permissions: Object.freeze([...(permissions as string[])]),
    updatedAt: new Date(updatedAt),
    salt: Buffer.from(salt, 'base64url'),
    hash: hashBytes,
  });
}

export class AccountStore {
  readonly #byId = new Map<string, StoredAccount>();
  readonly #idByEmail = new Map<string, string>();
  /** Ids of the accounts created by sign-up (the ones persisted). */
  readonly #signedUp = new Set<string>();
  #persistence: AccountPersistence | undefined;

  /**
   * The demo accounts, plus the sign-ups saved in `persistence` (which then keeps every new one).
   * Without it, sign-ups live in memory only.
   */
  static async withDemoAccounts(persistence?: AccountPersistence): Promise<AccountStore> {
    const store = new AccountStore();
    const saved = persistence?.saved;
    const records =
      typeof saved === 'object' && saved !== null
        ? (saved as { accounts?: unknown }).accounts
        : undefined;
    for (const record of Array.isArray(records) ? records : []) {
      const account = fromSaved(record);
      // A demo email keeps its demo account; a record seen twice keeps its first copy.
      if (account === undefined || DEMO_ACCOUNTS.some((demo) => demo.email === account.email))
        continue;
      if (store.#idByEmail.has(account.email) || store.#byId.has(account.id)) continue;
      store.#put(account);
      store.#signedUp.add(account.id);
    }
    store.#persistence = persistence;
    for (const demo of DEMO_ACCOUNTS) {
      await store.#add({
        id: seededSubject(demo.email),
        email: demo.email,
        password: demo.password,
        name: demo.name,
        emailVerified: true,
        permissions: demo.permissions,
      });
    }
    return store;
  }

  async #add(input: {
    id: string;
    email: string;
    password: string;
    name: string;
    emailVerified: boolean;
    permissions: readonly string[];
  }): Promise<StoredAccount | undefined> {
    const salt = randomBytes(16);
    const hash = await hashPassword(input.password, salt);
    const email = normalizeEmail(input.email);
    // Checked after the (async) hashing so two concurrent sign-ups cannot both take one email.
    if (this.#idByEmail.has(email)) return undefined;
    const account: StoredAccount = Object.freeze({
      id: input.id,
      email,
      name: input.name,
      emailVerified: input.emailVerified,
      permissions: Object.freeze([...input.permissions]),
      updatedAt: new Date(),
      salt,
      hash,
    });
    this.#put(account);
    return account;
  }

  #put(account: StoredAccount): void {
    this.#byId.set(account.id, account);
    this.#idByEmail.set(account.email, account.id);
  }

  #remove(account: StoredAccount): void {
    this.#byId.delete(account.id);
    this.#idByEmail.delete(account.email);
    this.#signedUp.delete(account.id);
  }

  /** Saves every sign-up (none when not persisted). */
  async #persist(): Promise<void> {
    const persistence = this.#persistence;
    if (persistence === undefined) return;
    await persistence.save(
      [...this.#signedUp].flatMap((id) => {
        const account = this.#byId.get(id);
        return account === undefined ? [] : [toSaved(account)];
      }),
    );
  }

  get(id: string): StoredAccount | undefined {
    return this.#byId.get(id);
  }

  /** The account for these credentials, or undefined (same answer for unknown email and wrong password). */
  async verify(email: string, password: string): Promise<StoredAccount | undefined> {
    const id = this.#idByEmail.get(normalizeEmail(email));
    const account = id === undefined ? undefined : this.#byId.get(id);
    // Hash even for unknown emails so both failures take the same time.
    const salt = account?.salt ?? randomBytes(16);
    const candidate = await hashPassword(password, salt);
    if (account === undefined) return undefined;
    return timingSafeEqual(candidate, account.hash) ? account : undefined;
  }

  async signUp(input: { email: string; password: string; name?: string }): Promise<SignUpResult> {
    const email = normalizeEmail(input.email);
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/u.test(email)) {
      return { ok: false, message: 'Enter a valid email address.' };
    }
    if (input.password.length < MIN_PASSWORD_LENGTH) {
      return { ok: false, message: `Password must be at least ${MIN_PASSWORD_LENGTH} characters.` };
    }
    if (input.password.trim() === '') {
      return { ok: false, message: 'A password cannot be only spaces.' };
    }
    const exists: SignUpResult = {
      ok: false,
      message: 'An account with this email already exists.',
      reason: 'exists',
    };
    if (this.#idByEmail.has(email)) return exists;
    const name = input.name?.trim() || email;
    const account = await this.#add({
      id: `auth0|${randomBytes(12).toString('hex')}`,
      email,
      password: input.password,
      name,
      emailVerified: false,
      permissions: [],
    });
    if (account === undefined) return exists;
    this.#signedUp.add(account.id);
    try {
      // On disk before the sign-in goes on, so a restart cannot forget an account that has tokens.
      await this.#persist();
    } catch (error) {
      this.#remove(account);
      throw error;
    }
    return { ok: true, account };
  }

  static profileClaims(account: StoredAccount): ProfileClaims {
    return {
      sub: account.id,
      name: account.name,
      nickname: account.email.split('@')[0] ?? account.email,
      picture: avatarDataUri(account.name, account.email),
      email: account.email,
      email_verified: account.emailVerified,
      updated_at: account.updatedAt.toISOString(),
    };
  }
}
