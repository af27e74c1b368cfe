// The presentation a tenant shows the BDRS: its current MembershipCredential in a JWT VP signed with its identity key (iss = sub = aud = own DID).
import type { TenantKeyProvider } from '../credentials/key-provider';
import type { Database } from '../store/database';
import { signPresentation } from './credential-service';
import { identityFailure, type IdentityResult } from './failures';
import type { HeldCredential, HeldCredentialRepository } from './held-credential-repository';

export const MEMBERSHIP_CREDENTIAL = 'MembershipCredential';

export interface MembershipPresentation {
  /** The tenant whose credential and key were used. */
  readonly tenantId: string;
  /** Compact JWS of the VP. */
  readonly vp: string;
}

/** Builds membership presentations for calls that must prove dataspace membership (the BDRS directory). */
export interface MembershipPresenter {
  /**
   * A VP with `tenantId`'s currently valid MembershipCredential (the longest-valid one); `credential-missing` when it
   * holds none. Without `tenantId`: the first active tenant, by id, that holds one.
   */
  present(tenantId?: string): Promise<IdentityResult<MembershipPresentation>>;
}

export interface MembershipPresenterDeps {
  readonly db: Pick<Database, 'withTenant'>;
  readonly credentials: HeldCredentialRepository;
  readonly keys: TenantKeyProvider;
  readonly didOf: (tenantId: string) => string;
  readonly now: () => Date;
  /** Active tenant ids in a stable order (for lookups made on behalf of no particular tenant). */
  readonly activeTenants: () => Promise<readonly string[]>;
  /** VP lifetime, seconds. Default 300. */
  readonly ttlSeconds?: number;
}

function currentMembership(held: readonly HeldCredential[], now: Date): HeldCredential | undefined {
  const valid = held.filter((c) => c.types.includes(MEMBERSHIP_CREDENTIAL) && (c.validUntil === undefined || c.validUntil > now) && (c.validFrom === undefined || c.validFrom <= now));
  const until = (c: HeldCredential) => c.validUntil?.getTime() ?? Number.POSITIVE_INFINITY;
  return valid.sort((a, b) => until(b) - until(a))[0];
}

export function createMembershipPresenter(deps: MembershipPresenterDeps): MembershipPresenter {
  async function presentFor(tenantId: string): Promise<IdentityResult<MembershipPresentation>> {
    const now = deps.now();
    const held = await deps.db.withTenant(tenantId, (tx) => deps.credentials.findByTypes(tx, [MEMBERSHIP_CREDENTIAL]));
    const membership = currentMembership(held, now);
    if (membership === undefined) return identityFailure('credential-missing', `tenant ${tenantId} holds no valid MembershipCredential`);
    const did = deps.didOf(tenantId);
    const vp = await signPresentation(deps.keys, tenantId, { did, audience: did, credentials: [membership.raw], now, ttlSeconds: deps.ttlSeconds ?? 300 });
    return { ok: true, value: { tenantId, vp } };
  }

  return {
    async present(tenantId) {
      if (tenantId !== undefined) return presentFor(tenantId);
      for (const candidate of await deps.activeTenants()) {
        const r = await presentFor(candidate);
        if (r.ok) return r;
      }
      return identityFailure('credential-missing', 'no active tenant holds a valid MembershipCredential');
    },
  };
}
