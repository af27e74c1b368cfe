// Wires the identity services from one configuration slice; the composition root calls this once.
import type { OutboundHttpClient } from '../common/outbound-http';
import type { TenantKeyProvider } from '../credentials/key-provider';
import type { Database } from '../store/database';
import { createAccessTokenService, type AccessTokenService } from './access-token';
import { createCredentialService, type CredentialService } from './credential-service';
import { createDcpIdentityService, type DcpIdentityService } from './dcp-identity-service';
import { createDidDocumentService, type DidDocumentService } from './did-document';
import { createDidWebResolver, type DidResolver } from './did-resolver';
import { createSqlHeldCredentialRepository, type HeldCredentialRepository } from './held-credential-repository';
import { createSqlJtiReplayStore, type JtiReplayStore } from './jti-replay-store';
import { createPresentationCache, type PresentationCache } from './presentation-cache';
import { createPresentationVerifier, type PresentationVerifier } from './presentation-verifier';
import { createSelfIssuedTokenService, type SelfIssuedTokenService } from './self-issued-token';
import { createStatusListChecker } from './status-list';
import { createStaticTrustedIssuers, type TrustedIssuers } from './trusted-issuers';

export interface IdentityConfig {
  /** Public base URL of the connector (`https://host[:port][/prefix]`); tenant DIDs derive from it. */
  readonly publicBaseUrl: string;
  /** Issuer DIDs every tenant trusts (Catena-X: the operating company's issuer; dev: the built-in trust anchor). */
  readonly trustedIssuers: readonly string[];
  /** Extra trusted issuers per tenant id. */
  readonly tenantTrustedIssuers?: Readonly<Record<string, readonly string[]>>;
  /** Resolve did:web and call Credential Services over plain http on loopback hosts (tests/dev). Default false. */
  readonly allowLoopbackHttp?: boolean;
  readonly didCacheTtlMs?: number;
  /**
   * Longest reuse of a verified partner presentation, seconds (also capped by the credentials' expiry). A revoked
   * credential is honoured at most this late. 0 disables the cache. Default 60.
   */
  readonly presentationCacheSeconds?: number;
  /** Most cached presentation results (LRU). Default 10 000. */
  readonly presentationCacheMaxEntries?: number;
  readonly statusListCacheTtlMs?: number;
  readonly siTokenTtlSeconds?: number;
  readonly accessTokenTtlSeconds?: number;
  readonly clockSkewSeconds?: number;
  /** JWS algorithms accepted from partners. Default ES256, ES256K, ES384, EdDSA/Ed25519, RS256, PS256. */
  readonly allowedAlgs?: readonly string[];
}

export interface IdentityDeps {
  readonly keys: TenantKeyProvider;
  /** The SSRF-safe client; its `allowLoopback` must match `allowLoopbackHttp` for local set-ups. */
  readonly http: OutboundHttpClient;
  readonly db: Pick<Database, 'withTenant' | 'withSystem'>;
  readonly now: () => Date;
  /** Defaults to the SQL store on `identity_jti_replay`. */
  readonly replay?: JtiReplayStore;
  /** Defaults to the static list from the configuration. */
  readonly trustedIssuers?: TrustedIssuers;
}

export interface IdentityComponents {
  readonly dids: DidDocumentService;
  readonly resolver: DidResolver;
  readonly accessTokens: AccessTokenService;
  readonly siTokens: SelfIssuedTokenService;
  readonly heldCredentials: HeldCredentialRepository;
  readonly credentialService: CredentialService;
  readonly presentations: PresentationVerifier;
  /** Verified presentation results reused by `dcp.authenticate`; invalidate per tenant (offboarding) or per partner. */
  readonly presentationCache: PresentationCache;
  readonly dcp: DcpIdentityService;
}

export function createIdentityComponents(config: IdentityConfig, deps: IdentityDeps): IdentityComponents {
  const { keys, http, db, now } = deps;
  const dids = createDidDocumentService({ keys, publicBaseUrl: config.publicBaseUrl });
  const didOf = dids.didOf;
  const skewSeconds = config.clockSkewSeconds;
  const resolver = createDidWebResolver({ http, allowLoopbackHttp: config.allowLoopbackHttp, cacheTtlMs: config.didCacheTtlMs, now });
  const accessTokens = createAccessTokenService({ keys, didOf, now, ttlSeconds: config.accessTokenTtlSeconds, skewSeconds });
  const siTokens = createSelfIssuedTokenService({
    keys,
    didOf,
    resolver,
    replay: deps.replay ?? createSqlJtiReplayStore({ db, now }),
    accessTokens,
    now,
    ttlSeconds: config.siTokenTtlSeconds,
    skewSeconds,
    allowedAlgs: config.allowedAlgs,
  });
  const heldCredentials = createSqlHeldCredentialRepository();
  const credentialService = createCredentialService({ siTokens, accessTokens, credentials: heldCredentials, db, keys, didOf, now });
  const presentations = createPresentationVerifier({
    resolver,
    trustedIssuers: deps.trustedIssuers ?? createStaticTrustedIssuers({ global: config.trustedIssuers, perTenant: config.tenantTrustedIssuers }),
    statusLists: createStatusListChecker({ http, resolver, now, cacheTtlMs: config.statusListCacheTtlMs }),
    now,
    skewSeconds,
    allowedAlgs: config.allowedAlgs,
  });
  const presentationCache = createPresentationCache({ ttlSeconds: config.presentationCacheSeconds, maxEntries: config.presentationCacheMaxEntries, now });
  const dcp = createDcpIdentityService({ siTokens, resolver, http, presentations, didOf, allowLoopbackHttp: config.allowLoopbackHttp, cache: presentationCache });
  return { dids, resolver, accessTokens, siTokens, heldCredentials, credentialService, presentations, presentationCache, dcp };
}
