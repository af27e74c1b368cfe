// DataPlaneTokenVerifier for all tenants: routes to the local or the Cognito verifier by the tenant's credential mode.
import type { LocalTokenVerifier } from '../local/local-token-verifier';
import { verifyFailure, type DataPlaneTokenVerifier, type VerifiedTokenCache } from '../token-verifier';
import type { TenantCredentialDirectory } from './tenant-directory';

/** The connector's one data-plane verifier, with eviction of a tenant's cached verifications and keys. */
export interface TenantTokenVerifier extends DataPlaneTokenVerifier {
  /** Forgets every cached verification, key set and profile of `tenantId` (keys revoked, tenant erased). */
  evictTenant(tenantId: string): void;
}

export interface TenantTokenVerifierDeps {
  readonly directory: TenantCredentialDirectory;
  readonly local: LocalTokenVerifier;
  readonly cognito: DataPlaneTokenVerifier;
  /** The verified-token cache both verifiers share (tenant + token hash → verification, until `exp`). */
  readonly cache: VerifiedTokenCache;
}

export function createTenantTokenVerifier(deps: TenantTokenVerifierDeps): TenantTokenVerifier {
  return {
    async verify(tenantId, token) {
      if (typeof token !== 'string' || token === '') return verifyFailure('missing', 'no token');
      const profile = await deps.directory.profile(tenantId);
      if (profile === undefined) return verifyFailure('unknown-tenant', 'unknown or inactive tenant');
      if (profile.mode === 'local') return deps.local.verify(tenantId, token);
      if (profile.aws === undefined) return verifyFailure('unknown-tenant', 'tenant has no usable aws settings');
      return deps.cognito.verify(tenantId, token);
    },
    evictTenant(tenantId) {
      deps.directory.forget(tenantId);
      deps.local.evictTenant(tenantId);
      deps.cache.evictTenant(tenantId);
    },
  };
}
