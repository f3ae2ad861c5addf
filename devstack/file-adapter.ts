// oidc-provider's storage adapter, backed by one JSON file: what the provider stores (sessions,
// grants, authorization codes, refresh tokens, interactions, DPoP proof ids) survives a restart.
// The interface and its semantics follow oidc-provider's reference, lib/adapters/memory_adapter.js
// (and example/my_adapter.js): everything lives in a map in memory, and after each change the whole
// map is written to the file (StateFile: temp file + rename, owner-only). Each change resolves once
// it is on disk, so a token the provider hands out is never one a restart would forget.
//
// For a devstack, not a production store: one process, a handful of users, the file rewritten whole.
import type { StateFile } from './state.ts';

/** What oidc-provider asks an adapter to keep for one model instance (JSON-compatible). */
export type AdapterPayload = Record<string, unknown>;

/** oidc-provider's adapter interface (one instance per model name). */
export interface Adapter {
  upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void>;
  find(id: string): Promise<AdapterPayload | undefined>;
  findByUid(uid: string): Promise<AdapterPayload | undefined>;
  findByUserCode(userCode: string): Promise<AdapterPayload | undefined>;
  consume(id: string): Promise<void>;
  destroy(id: string): Promise<void>;
  revokeByGrantId(grantId: string): Promise<void>;
}

interface Entry {
  model: string;
  id: string;
  payload: AdapterPayload;
  /** Milliseconds since the epoch; absent: kept until destroyed. */
  expiresAt?: number;
}

/** Models whose instances belong to a grant and go when it is revoked (as in the memory adapter). */
const GRANTABLE = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
]);

const FORMAT_VERSION = 1;

function keyFor(model: string, id: string): string {
  return `${model}:${id}`;
}

/** A deep copy through JSON: what is returned now is what a restart would read back. */
function copy(payload: AdapterPayload): AdapterPayload {
  return JSON.parse(JSON.stringify(payload)) as AdapterPayload;
}

function stringField(payload: AdapterPayload, name: string): string | undefined {
  const value = payload[name];
  return typeof value === 'string' ? value : undefined;
}

function parseEntry(value: unknown): Entry | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { model, id, payload, expiresAt } = value as Record<string, unknown>;
  if (typeof model !== 'string' || typeof id !== 'string') return undefined;
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return undefined;
  if (expiresAt !== undefined && typeof expiresAt !== 'number') return undefined;
  return {
    model,
    id,
    payload: payload as AdapterPayload,
    ...(expiresAt === undefined ? {} : { expiresAt }),
  };
}

/** The store shared by one provider's adapters (one per model), as the memory adapter's LRU is. */
class FileStore {
  readonly #file: StateFile;
  readonly #clockTolerance: number;
  readonly #entries = new Map<string, Entry>();
  /** Session uid → session id (findByUid). */
  readonly #sessionIdByUid = new Map<string, string>();
  /** User code → device code id (findByUserCode). */
  readonly #idByUserCode = new Map<string, string>();

  constructor(file: StateFile, clockTolerance: number) {
    this.#file = file;
    this.#clockTolerance = clockTolerance;
  }

  /** Reads the file once, keeping only what has not expired yet. */
  async load(): Promise<void> {
    const stored = await this.#file.read();
    const entries =
      typeof stored === 'object' && stored !== null
        ? (stored as { version?: unknown; entries?: unknown })
        : undefined;
    if (entries?.version !== FORMAT_VERSION || !Array.isArray(entries.entries)) return;
    const now = Date.now();
    for (const value of entries.entries) {
      const entry = parseEntry(value);
      if (entry === undefined || (entry.expiresAt !== undefined && entry.expiresAt <= now))
        continue;
      this.#set(entry);
    }
  }

  get(model: string, id: string): Entry | undefined {
    const entry = this.#entries.get(keyFor(model, id));
    if (entry === undefined) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
      // Expired: gone for every caller; the file loses it with the next write.
      this.#delete(entry);
      return undefined;
    }
    return entry;
  }

  sessionIdForUid(uid: string): string | undefined {
    return this.#sessionIdByUid.get(uid);
  }

  idForUserCode(userCode: string): string | undefined {
    return this.#idByUserCode.get(userCode);
  }

  upsert(
    model: string,
    id: string,
    payload: AdapterPayload,
    expiresIn: number | undefined,
  ): Promise<void> {
    const previous = this.#entries.get(keyFor(model, id));
    if (previous !== undefined) this.#delete(previous);
    const expiresAt =
      typeof expiresIn === 'number'
        ? Date.now() + (expiresIn + this.#clockTolerance) * 1000
        : undefined;
    this.#set({
      model,
      id,
      payload: copy(payload),
      ...(expiresAt === undefined ? {} : { expiresAt }),
    });
    return this.#save();
  }

  consume(model: string, id: string, at: number): Promise<void> {
    const entry = this.get(model, id);
    if (entry === undefined) return Promise.resolve();
    entry.payload['consumed'] = at;
    return this.#save();
  }

  destroy(model: string, id: string): Promise<void> {
    const entry = this.#entries.get(keyFor(model, id));
    if (entry === undefined) return Promise.resolve();
    this.#delete(entry);
    return this.#save();
  }

  /** Every grantable instance of the grant, whatever the model asking (as the memory adapter does). */
  revokeByGrantId(grantId: string): Promise<void> {
    let changed = false;
    for (const entry of [...this.#entries.values()]) {
      if (GRANTABLE.has(entry.model) && entry.payload['grantId'] === grantId) {
        this.#delete(entry);
        changed = true;
      }
    }
    return changed ? this.#save() : Promise.resolve();
  }

  #set(entry: Entry): void {
    this.#entries.set(keyFor(entry.model, entry.id), entry);
    const uid = stringField(entry.payload, 'uid');
    if (entry.model === 'Session' && uid !== undefined) this.#sessionIdByUid.set(uid, entry.id);
    const userCode = stringField(entry.payload, 'userCode');
    if (userCode !== undefined) this.#idByUserCode.set(userCode, entry.id);
  }

  #delete(entry: Entry): void {
    this.#entries.delete(keyFor(entry.model, entry.id));
    const uid = stringField(entry.payload, 'uid');
    if (
      entry.model === 'Session' &&
      uid !== undefined &&
      this.#sessionIdByUid.get(uid) === entry.id
    ) {
      this.#sessionIdByUid.delete(uid);
    }
    const userCode = stringField(entry.payload, 'userCode');
    if (userCode !== undefined && this.#idByUserCode.get(userCode) === entry.id)
      this.#idByUserCode.delete(userCode);
  }

  #save(): Promise<void> {
    return this.#file.save(() => {
      const now = Date.now();
      const entries: Entry[] = [];
      for (const entry of [...this.#entries.values()]) {
        if (entry.expiresAt !== undefined && entry.expiresAt <= now) this.#delete(entry);
        else entries.push(entry);
      }
      return { version: FORMAT_VERSION, entries };
    });
  }

  flush(): Promise<void> {
    return this.#file.flush();
  }
}

class FileAdapter implements Adapter {
  readonly #model: string;
  readonly #store: FileStore;

  constructor(model: string, store: FileStore) {
    this.#model = model;
    this.#store = store;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    await this.#store.upsert(this.#model, id, payload, expiresIn);
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    const entry = this.#store.get(this.#model, id);
    return entry === undefined ? undefined : copy(entry.payload);
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    const id = this.#store.sessionIdForUid(uid);
    return id === undefined ? undefined : this.find(id);
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    const id = this.#store.idForUserCode(userCode);
    return id === undefined ? undefined : this.find(id);
  }

  async consume(id: string): Promise<void> {
    await this.#store.consume(this.#model, id, Math.floor(Date.now() / 1000));
  }

  async destroy(id: string): Promise<void> {
    await this.#store.destroy(this.#model, id);
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await this.#store.revokeByGrantId(grantId);
  }
}

export interface FileAdapterFactory {
  /** oidc-provider's `adapter` setting: a factory called with each model name. */
  (model: string): Adapter;
  /** Resolves once every change so far is on disk (or has failed to get there). */
  flush(): Promise<void>;
}

/**
 * Loads `file` (dropping what has expired) and returns the adapter factory for one provider.
 * `clockTolerance` (seconds) is added to every lifetime, as the memory adapter does.
 */
export async function createFileAdapter(
  file: StateFile,
  clockTolerance = 0,
): Promise<FileAdapterFactory> {
  const store = new FileStore(file, clockTolerance);
  await store.load();
  return Object.assign((model: string) => new FileAdapter(model, store), {
    flush: () => store.flush(),
  });
}
