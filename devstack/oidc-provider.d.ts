// Minimal type declarations for the parts of oidc-provider 9 the devstack uses.
// oidc-provider ships no types; these follow lib/provider.js, lib/helpers/defaults.js and the models.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';
  import type { EventEmitter } from 'node:events';

  export type UnknownObject = Record<string, unknown>;
  export type Next = () => Promise<unknown>;

  export interface Account {
    accountId: string;
    claims(
      use: string,
      scope: string,
      claims: UnknownObject,
      rejected: string[],
    ): Promise<UnknownObject> | UnknownObject;
  }

  export interface Client {
    clientId: string;
    clientName?: string;
    applicationType: string;
    grantTypeAllowed(type: string): boolean;
  }

  export interface Session {
    uid: string;
    accountId?: string;
    grantIdFor(clientId: string): string | undefined;
  }

  export interface ResourceServer {
    audience?: string;
    scope: string;
    readonly scopes: Set<string>;
    accessTokenTTL?: number;
    identifier(): string;
  }

  export interface ResourceServerInfo {
    scope: string;
    audience?: string;
    accessTokenTTL?: number;
    accessTokenFormat?: 'opaque' | 'jwt';
    jwt?: { sign?: { alg?: string; kid?: string } };
  }

  export interface Token {
    kind: string;
    jti: string;
    accountId?: string;
    clientId?: string;
    scope?: string;
    readonly scopes: Set<string>;
    resource?: string | string[];
    resourceServer?: ResourceServer;
    codeChallenge?: string;
  }

  export interface Grant {
    jti: string;
    accountId: string;
    clientId: string;
    addOIDCScope(scope: string): void;
    addOIDCClaims(claims: string[]): void;
    addResourceScope(resource: string, scope: string): void;
    save(): Promise<string>;
  }

  export interface GrantConstructor {
    new (properties: { accountId: string; clientId: string }): Grant;
    find(id: string): Promise<Grant | undefined>;
  }

  export interface OIDCContext {
    readonly route: string;
    readonly provider: Provider;
    readonly issuer: string;
    params?: UnknownObject;
    body?: UnknownObject;
    readonly client?: Client;
    readonly session: Session;
    readonly account?: Account;
    readonly result?: InteractionResults;
    readonly resourceServers: Record<string, ResourceServer>;
    readonly requestParamScopes: Set<string>;
    readonly requestParamOIDCScopes: Set<string>;
    readonly requestParamClaims: Set<string>;
  }

  export interface KoaContextWithOIDC {
    oidc: OIDCContext;
    method: string;
    path: string;
    host: string;
    query: Record<string, string | string[] | undefined>;
    type: string;
    status: number;
    body: unknown;
    set(field: string, value: string): void;
  }

  export type KoaMiddleware = (ctx: KoaContextWithOIDC, next: Next) => Promise<unknown>;

  export interface InteractionResults {
    login?: { accountId: string; remember?: boolean; ts?: number };
    consent?: { grantId?: string };
    error?: string;
    error_description?: string;
    [key: string]: unknown;
  }

  export interface PromptDetail {
    name: string;
    reasons: string[];
    details: {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
      [key: string]: unknown;
    };
  }

  export interface Interaction {
    uid: string;
    prompt: PromptDetail;
    params: UnknownObject;
    session?: { accountId: string; uid: string; cookie: string };
    grantId?: string;
    lastSubmission?: InteractionResults;
  }

  export interface InteractionPolicyPrompt {
    name: string;
    checks: { remove(name: string): void };
  }

  export interface InteractionPolicy extends Array<InteractionPolicyPrompt> {
    get(name: string): InteractionPolicyPrompt | undefined;
  }

  export const interactionPolicy: {
    base(): InteractionPolicy;
  };

  export class OIDCProviderError extends Error {
    error: string;
    error_description?: string;
    status: number;
  }

  export const errors: {
    OIDCProviderError: typeof OIDCProviderError;
    InvalidTarget: new (description?: string) => OIDCProviderError;
    InvalidRequest: new (description?: string) => OIDCProviderError;
    SessionNotFound: new (description?: string) => OIDCProviderError;
  };

  export type Configuration = UnknownObject;

  export default class Provider extends EventEmitter {
    constructor(issuer: string, configuration?: Configuration);
    readonly issuer: string;
    proxy: boolean;
    readonly Grant: GrantConstructor;
    use(middleware: KoaMiddleware): this;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<Interaction>;
    interactionFinished(
      req: IncomingMessage,
      res: ServerResponse,
      result: InteractionResults,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<void>;
    urlFor(name: string): string;
  }
}

declare module 'oidc-provider/lib/adapters/memory_adapter.js' {
  /** A factory for oidc-provider's in-memory adapter with its own store (one per Provider). */
  export function createMemoryAdapter(clockTolerance?: number): (model: string) => unknown;
}
