// The identity module as the runtime runs it: identity components, HTTP routers, onboarding hooks, the persisted dev trust anchor.
import type { Router } from 'express';
import { createOutboundHttpClient, type OutboundHttpConfig } from '../../common/outbound-http';
import type { TenantKeyProvider } from '../../credentials/key-provider';
import type { Logger } from '../../observability/logger';
import type { Database } from '../../store/database';
import { findTenant } from '../../tenancy/tenant-store';
import type { TenantLifecycleHooks } from '../../tenancy/tenant-service';
import { isValidTenantId } from '../../common/tenant-id';
import { createBdrsBpnDirectory } from '../bdrs-directory';
import type { BpnDirectory } from '../bpn-directory';
import { createDevTrustAnchor, type DevTrustAnchor } from '../dev-trust-anchor';
import { didWebFor } from '../did-web';
import { createIdentityComponents, type IdentityComponents, type IdentityConfig } from '../identity-components';
import type { DcpIdentityService } from '../dcp-identity-service';
import { createSqlJtiReplayStore } from '../jti-replay-store';
import { createMembershipPresenter } from '../membership-presentation';
import { createIdentityOperatorRouter } from '../http/identity-operator-routes';
import { createIdentityPublicRouters } from '../http/identity-public-routes';
import { createSqlBpnDirectory, type SqlBpnDirectory } from './sql-bpn-directory';
import { createTrustAnchorIssuance, listHeldCredentials, STANDARD_CREDENTIAL_TYPES, type TrustAnchorIssuance } from './trust-anchor-issuance';
import { createSqlTrustAnchorState } from './trust-anchor-store';

/** URL path segments of the dev trust anchor: DID `did:web:{host}:trust-anchor`, document at `/trust-anchor/did.json`. */
export const TRUST_ANCHOR_SEGMENTS: readonly string[] = ['trust-anchor'];

export interface IdentityModuleDeps {
  readonly db: Database;
  readonly keys: TenantKeyProvider;
  /** 32 bytes; seals the dev trust anchor's private key. */
  readonly masterKey: Buffer;
  /** The connector's public base URL; every DID derives from it. */
  readonly publicUrl: string;
  /** Settings of the module's SSRF-safe client (DID resolution, status lists, partners' Credential Services). */
  readonly outbound: OutboundHttpConfig;
  /** The built-in issuer of Catena-X credentials (development, demos). Off in production. */
  readonly trustAnchor: { readonly enabled: boolean };
  /** Issuer DIDs every tenant trusts; the dev anchor's DID is added when it is enabled. */
  readonly trustedIssuers: readonly string[];
  readonly tenantTrustedIssuers?: Readonly<Record<string, readonly string[]>>;
  readonly logger: Logger;
  readonly now?: () => Date;
  /**
   * Finer identity settings (token lifetimes, caches, algorithms). `allowLoopbackHttp` defaults to
   * `outbound.allowLoopback`, so one switch enables local set-ups.
   */
  readonly identity?: Partial<Omit<IdentityConfig, 'publicBaseUrl' | 'trustedIssuers' | 'tenantTrustedIssuers'>>;
  /** Period of the jti replay purge, ms. Default 60 000. */
  readonly jtiPurgeIntervalMs?: number;
  /** How long a replica reuses its directory snapshot, ms. Default 30 000. */
  readonly directoryCacheTtlMs?: number;
  /** A Catena-X BDRS server: when set, BPN ↔ DID lookups go to it instead of the built-in directory. */
  readonly bdrs?: BdrsSettings;
}

export interface BdrsSettings {
  /** Base URL; the directory is `GET {url}/bpn-directory`. */
  readonly url: string;
  /** How long a fetched map is reused, seconds. Default 900 (Tractus-X). */
  readonly cacheSeconds?: number;
  /** A lookup that misses refreshes the map only when it is at least this old, seconds. Default 30. */
  readonly minRefreshSeconds?: number;
}

export interface IdentityModule {
  /** Mount at the application root, unauthenticated. */
  readonly publicRouters: readonly { readonly path: string; readonly router: Router }[];
  /** Mount under `/operator/v1` after the operator authentication. */
  readonly operatorRouter: Router;
  /** Compose into the tenant service's lifecycle hooks. */
  readonly hooks: Required<Pick<TenantLifecycleHooks, 'afterOnboard' | 'beforeErase' | 'afterErase'>>;
  /** For the DSP layer: `authorizationFor` (outbound) and `authenticate` (inbound). */
  readonly dcp: DcpIdentityService;
  /** BPN ↔ DID lookups for the DSP layer and policies: the BDRS client when `bdrs` is set, else the built-in directory. */
  readonly bpnDirectory: BpnDirectory;
  /** The built-in directory (our tenants + operator entries) behind the operator routes. */
  readonly localDirectory: SqlBpnDirectory;
  /** Every identity component (DID documents, resolver, held credentials …). */
  readonly components: IdentityComponents;
  /** The dev trust anchor's DID when enabled. */
  readonly trustAnchorDid?: string;
  /** Loads the dev trust anchor (fail fast) and starts the periodic jti purge. */
  start(): Promise<void>;
  /** Stops the periodic work and closes outbound connections. */
  stop(): Promise<void>;
}

export function createIdentityModule(deps: IdentityModuleDeps): IdentityModule {
  const now = deps.now ?? (() => new Date());
  const log = deps.logger.child({ component: 'identity' });
  const publicBaseUrl = deps.publicUrl.replace(/\/+$/, '');
  const anchorDid = deps.trustAnchor.enabled ? didWebFor(publicBaseUrl, TRUST_ANCHOR_SEGMENTS) : undefined;
  const http = createOutboundHttpClient(deps.outbound);
  const replay = createSqlJtiReplayStore({ db: deps.db, now });
  const components = createIdentityComponents(
    {
      ...deps.identity,
      allowLoopbackHttp: deps.identity?.allowLoopbackHttp ?? deps.outbound.allowLoopback ?? false,
      publicBaseUrl,
      trustedIssuers: anchorDid === undefined ? [...deps.trustedIssuers] : [...new Set([...deps.trustedIssuers, anchorDid])],
      tenantTrustedIssuers: deps.tenantTrustedIssuers,
    },
    { keys: deps.keys, http, db: deps.db, now, replay },
  );
  const directory = createSqlBpnDirectory({ db: deps.db, publicBaseUrl, now, cacheTtlMs: deps.directoryCacheTtlMs });
  // The BDRS URL is the operator's own setting: its host is exempt from the address checks (an in-cluster BDRS is common).
  const bdrsHttp = deps.bdrs === undefined ? undefined : createOutboundHttpClient({
    ...deps.outbound,
    allowedHosts: [...(deps.outbound.allowedHosts ?? []), new URL(deps.bdrs.url).hostname.toLowerCase()],
  });
  const bpnDirectory: BpnDirectory = deps.bdrs === undefined || bdrsHttp === undefined ? directory : createBdrsBpnDirectory({
    url: deps.bdrs.url,
    http: bdrsHttp,
    presenter: createMembershipPresenter({
      db: deps.db, credentials: components.heldCredentials, keys: deps.keys, didOf: components.dids.didOf, now,
      activeTenants: async () => (await deps.db.withSystem((tx) => tx.query<{ id: string }>("SELECT id FROM tenants WHERE status = 'active' ORDER BY id LIMIT 100"))).map((r) => r.id),
    }),
    now,
    logger: log,
    cacheSeconds: deps.bdrs.cacheSeconds,
    minRefreshSeconds: deps.bdrs.minRefreshSeconds,
    maxResponseBytes: deps.outbound.maxResponseBytes,
  });

  const state = createSqlTrustAnchorState({ db: deps.db, masterKey: deps.masterKey });
  let anchorPromise: Promise<DevTrustAnchor> | undefined;
  const anchor = (): Promise<DevTrustAnchor> => {
    anchorPromise ??= state.loadOrCreateKey().then(
      (key) => createDevTrustAnchor({ publicBaseUrl, key, now, pathSegments: TRUST_ANCHOR_SEGMENTS, statusStore: state.statusStore }),
      (err: unknown) => {
        anchorPromise = undefined;
        throw err;
      },
    );
    return anchorPromise;
  };
  const issuance: TrustAnchorIssuance | undefined =
    anchorDid === undefined ? undefined : createTrustAnchorIssuance({ db: deps.db, anchor, anchorDid, state, heldCredentials: components.heldCredentials, now });

  async function activeTenant(tenantId: string): Promise<{ id: string; bpn: string } | undefined> {
    if (!isValidTenantId(tenantId)) return undefined;
    const t = await deps.db.withSystem((tx) => findTenant(tx, tenantId));
    return t !== undefined && t.status === 'active' ? t : undefined;
  }

  const publicRouters = createIdentityPublicRouters({
    tenantExists: async (id) => (await activeTenant(id)) !== undefined,
    dids: components.dids,
    keys: deps.keys,
    credentialService: components.credentialService,
    trustAnchor: anchorDid === undefined ? undefined : { path: `/${TRUST_ANCHOR_SEGMENTS.join('/')}`, anchor },
    logger: deps.logger,
  });

  const operatorRouter = createIdentityOperatorRouter({
    findTenant: activeTenant,
    didOf: components.dids.didOf,
    issuance,
    listCredentials: (tenantId) => deps.db.withTenant(tenantId, (tx) => listHeldCredentials(tx, components.heldCredentials)),
    directory,
    db: deps.db,
    now,
  });

  const hooks: IdentityModule['hooks'] = {
    async afterOnboard(tenant) {
      const did = components.dids.didOf(tenant.id);
      await deps.keys.signingKey(tenant.id, 'identity');
      const superseded = await directory.supersede(tenant.bpn, did);
      if (superseded > 0) log.warn('partner directory entries replaced by a new tenant', { tenantId: tenant.id, removed: superseded });
      if (issuance !== undefined) {
        const issued = await issuance.issue({ tenantId: tenant.id, did, bpn: tenant.bpn }, STANDARD_CREDENTIAL_TYPES, 'system');
        if (!issued.ok) throw new Error(`identity: dev trust anchor could not issue the standard credentials: ${issued.message}`);
      }
      log.info('tenant identity ready', { tenantId: tenant.id, did, devCredentials: issuance !== undefined });
    },
    async beforeErase(tenant) {
      const revoked = issuance === undefined ? 0 : await issuance.revokeAllOf(tenant.id);
      await directory.supersede(tenant.bpn, components.dids.didOf(tenant.id));
      await deps.keys.revokeAll(tenant.id);
      log.info('tenant identity revoked', { tenantId: tenant.id, revokedCredentials: revoked });
    },
    afterErase(tenantId) {
      directory.invalidate();
      const did = components.dids.didOf(tenantId);
      components.resolver.evict(did);
      // Neither as verifier nor as partner may an erased tenant's verified presentations be reused.
      components.presentationCache.invalidateTenant(tenantId);
      components.presentationCache.invalidatePartner(did);
    },
  };

  let timer: NodeJS.Timeout | undefined;
  return {
    publicRouters,
    operatorRouter,
    hooks,
    dcp: components.dcp,
    bpnDirectory,
    localDirectory: directory,
    components,
    trustAnchorDid: anchorDid,
    async start() {
      if (anchorDid !== undefined) {
        await anchor();
        log.warn('the development trust anchor is enabled: it issues Catena-X credentials to every tenant; disable it in production', { did: anchorDid });
      }
      if (deps.outbound.allowLoopback) log.warn('outbound calls to loopback addresses are allowed (development only)');
      if (deps.bdrs !== undefined) log.info('BPN directory: BDRS', { url: deps.bdrs.url });
      if (timer !== undefined) return;
      timer = setInterval(() => {
        replay.purgeExpired().catch((err: unknown) => log.warn('jti replay purge failed', { error: err instanceof Error ? err.message : String(err) }));
      }, deps.jtiPurgeIntervalMs ?? 60_000);
      timer.unref();
    },
    async stop() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      http.close();
      bdrsHttp?.close();
    },
  };
}
