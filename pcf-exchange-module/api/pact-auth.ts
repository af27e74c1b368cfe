// Bearer-token checks of the PACT host behind one interface: PACT access tokens and, when configured, data-plane tokens.
import type { DataPlaneTokenVerifier } from '../../connector/credentials/token-verifier';
import { peekHeader } from '../../connector/credentials/token-verifier';
import type { Database } from '../../connector/store/database';
import { createPactClientStore } from '../clients/pact-client-store';
import { PACT_TOKEN_TYPE, type PactTokenService } from '../clients/pact-tokens';

/** Who is calling the PACT host, as handlers see it (like EDC's `Edc-Bpn` / `Edc-Contract-Agreement-Id`). */
export type PactPrincipal =
  | { readonly kind: 'pact-client'; readonly clientId: string; readonly expiresAt: Date }
  | {
    readonly kind: 'data-plane';
    readonly subject: string;
    readonly bpn?: string;
    readonly did?: string;
    readonly agreementId?: string;
    readonly transferId?: string;
    readonly expiresAt: Date;
  };

export type BearerCheck =
  | { readonly ok: true; readonly principal: PactPrincipal }
  | { readonly ok: false; readonly expired: boolean; readonly unavailable: boolean; readonly message: string; readonly forbidden?: boolean };

/** Verifies bearer tokens presented on a tenant's PACT host. */
export interface PactBearerVerifier {
  /**
   * The principal of `token` on `tenantId`'s host, or why it is refused. Never throws for a bad token and never
   * logs it. Tokens of another tenant's host are refused like forged ones.
   */
  verify(tenantId: string, token: string): Promise<BearerCheck>;
  /**
   * The principal of `token` when everything needed is already cached in this process (the token's verification and
   * its client's status), else undefined: the hot path of repeated calls, without a promise. Never a refusal.
   */
  verifyCached(tenantId: string, token: string): PactPrincipal | undefined;
}

/** A short-lived view of which PACT clients are still active (revocation reaches other replicas within `ttlMs`). */
export interface ClientStatusCache {
  /** True when the client exists and is not revoked. */
  isActive(tenantId: string, clientId: string): Promise<boolean>;
  /** The cached status while it is fresh, else undefined (ask `isActive`). */
  cachedActive(tenantId: string, clientId: string): boolean | undefined;
  /** Forgets the cached status (call on revocation in this process). */
  evict(tenantId: string, clientId: string): void;
}

export function createClientStatusCache(db: Database, now: () => Date, ttlMs = 30_000): ClientStatusCache {
  const store = createPactClientStore();
  const cache = new Map<string, { active: boolean; until: number }>();
  const key = (t: string, c: string): string => `${t}\u0000${c}`;
  function cachedActive(tenantId: string, clientId: string): boolean | undefined {
    const hit = cache.get(key(tenantId, clientId));
    return hit !== undefined && hit.until > now().getTime() ? hit.active : undefined;
  }
  return {
    cachedActive,
    async isActive(tenantId, clientId) {
      const cached = cachedActive(tenantId, clientId);
      if (cached !== undefined) return cached;
      const active = (await db.withTenant(tenantId, (tx) => store.findActive(tx, clientId))) !== undefined;
      if (cache.size > 10_000) cache.clear();
      cache.set(key(tenantId, clientId), { active, until: now().getTime() + ttlMs });
      return active;
    },
    evict(tenantId, clientId) {
      cache.delete(key(tenantId, clientId));
    },
  };
}

export interface PactBearerVerifierDeps {
  readonly tokens: PactTokenService;
  readonly clients: ClientStatusCache;
  /** Verifies data-plane tokens minted at transfer start (tokens that are not PACT access tokens). */
  readonly dataPlaneVerifier?: DataPlaneTokenVerifier;
}

const refused = (message: string, expired = false, unavailable = false): BearerCheck => ({ ok: false, expired, unavailable, message });

/**
 * PACT access tokens are recognised by their JOSE `typ` (`pact+jwt`); any other token goes to the data-plane
 * verifier when one is configured, and is refused otherwise.
 */
export function createPactBearerVerifier(deps: PactBearerVerifierDeps): PactBearerVerifier {
  return {
    verifyCached(tenantId, token) {
      const known = deps.tokens.cachedVerification(tenantId, token);
      if (known === undefined || deps.clients.cachedActive(tenantId, known.clientId) !== true) return undefined;
      return { kind: 'pact-client', clientId: known.clientId, expiresAt: known.expiresAt };
    },
    async verify(tenantId, token) {
      if (token === '') return refused('missing access token');
      const known = deps.tokens.cachedVerification(tenantId, token);
      if (known !== undefined) {
        if (!(await deps.clients.isActive(tenantId, known.clientId))) return refused('invalid access token');
        return { ok: true, principal: { kind: 'pact-client', clientId: known.clientId, expiresAt: known.expiresAt } };
      }
      const header = peekHeader(token);
      if (header?.typ === PACT_TOKEN_TYPE || deps.dataPlaneVerifier === undefined) {
        const r = await deps.tokens.verify(tenantId, token);
        if (!r.ok) return refused(r.message, r.code === 'expired');
        if (!(await deps.clients.isActive(tenantId, r.value.clientId))) return refused('invalid access token');
        return { ok: true, principal: { kind: 'pact-client', clientId: r.value.clientId, expiresAt: r.value.expiresAt } };
      }
      const r = await deps.dataPlaneVerifier.verify(tenantId, token);
      // A valid token whose agreement no longer permits use (e.g. past its DataUsageEndDate) is denied, not invalid.
      if (!r.ok && r.reason === 'forbidden') return { ok: false, expired: false, unavailable: false, forbidden: true, message: r.message };
      if (!r.ok) return refused(r.code === 'expired' ? 'access token expired' : 'invalid access token', r.code === 'expired', r.code === 'unavailable');
      const v = r.value;
      return {
        ok: true,
        principal: {
          kind: 'data-plane', subject: v.subject, expiresAt: v.expiresAt,
          ...(v.consumer.bpn === undefined ? {} : { bpn: v.consumer.bpn }),
          ...(v.consumer.did === undefined ? {} : { did: v.consumer.did }),
          ...(v.agreementId === undefined ? {} : { agreementId: v.agreementId }),
          ...(v.transferId === undefined ? {} : { transferId: v.transferId }),
        },
      };
    },
  };
}

/** How the audit trail and the request records name a principal. */
export function principalLabel(p: PactPrincipal): string {
  return p.kind === 'pact-client' ? `pact-client:${p.clientId}` : `data-plane:${p.bpn ?? p.did ?? p.subject}`;
}
