// A tenant's credential profile (mode, validated AWS settings) read from the tenant record, with a short cache.
import { isValidTenantId } from '../../common/tenant-id';
import type { Logger } from '../../observability/logger';
import type { Database } from '../../store/database';
import { findTenant } from '../../tenancy/tenant-store';
import { createExpiringCache } from '../expiring-cache';
import { validateAwsTenantSettings, type AwsTenantSettings, type AwsTenantSettingsLookup } from '../aws/tenant-settings';

export type CredentialMode = 'local' | 'aws';

export interface TenantCredentialProfile {
  readonly tenantId: string;
  readonly mode: CredentialMode;
  /** The tenant's own validated settings (aws mode); undefined when the stored settings are missing or invalid. */
  readonly aws?: AwsTenantSettings;
}

export interface TenantCredentialDirectory {
  /**
   * The credential profile of an active tenant, read from its tenant record (never another tenant's) and cached for a
   * short time; undefined when the tenant does not exist, is being offboarded, or the id is not a tenant id.
   */
  profile(tenantId: string): Promise<TenantCredentialProfile | undefined>;
  /** Settings lookup for the AWS minter and the Cognito verifier: the tenant's own `aws_settings`, aws mode only. */
  readonly awsSettings: AwsTenantSettingsLookup;
  /** Drops the cached profile of `tenantId` (onboarding, offboarding, erasure). */
  forget(tenantId: string): void;
}

export interface TenantCredentialDirectoryDeps {
  readonly db: Database;
  readonly logger: Logger;
  readonly now: () => Date;
  /** How long a profile is reused (default 30 s). Unknown tenants are remembered for at most 5 s. */
  readonly cacheMs?: number;
  /** Secret names must be under `${secretPrefix}${tenantId}/` (default `pcf/tenants/`). */
  readonly secretPrefix?: string;
}

export function createTenantCredentialDirectory(deps: TenantCredentialDirectoryDeps): TenantCredentialDirectory {
  const log = deps.logger.child({ component: 'credentials.tenant-directory' });
  const cacheMs = deps.cacheMs ?? 30_000;
  const cache = createExpiringCache<TenantCredentialProfile | null>({ now: deps.now, marginMs: 0 });

  async function load(tenantId: string): Promise<{ value: TenantCredentialProfile | null; expiresAt: Date }> {
    const tenant = await deps.db.withSystem((tx) => findTenant(tx, tenantId));
    const at = deps.now().getTime();
    if (tenant === undefined || tenant.status !== 'active') return { value: null, expiresAt: new Date(at + Math.min(cacheMs, 5_000)) };
    const expiresAt = new Date(at + cacheMs);
    if (tenant.credentialMode === 'local') return { value: { tenantId, mode: 'local' }, expiresAt };
    const settings = validateAwsTenantSettings(tenantId, tenant.awsSettings, deps.secretPrefix === undefined ? {} : { secretPrefix: deps.secretPrefix });
    if (!settings.ok) {
      log.error('stored aws settings of the tenant are invalid; its tokens cannot be minted or verified', { tenantId, problems: settings.details });
      return { value: { tenantId, mode: 'aws' }, expiresAt };
    }
    if (settings.value.region !== tenant.region) {
      log.error('stored aws settings name another region than the tenant (data residency); refusing them', { tenantId, region: tenant.region, settingsRegion: settings.value.region });
      return { value: { tenantId, mode: 'aws' }, expiresAt };
    }
    return { value: { tenantId, mode: 'aws', aws: settings.value }, expiresAt };
  }

  const directory: TenantCredentialDirectory = {
    async profile(tenantId) {
      if (!isValidTenantId(tenantId)) return undefined;
      return (await cache.get(tenantId, () => load(tenantId))) ?? undefined;
    },
    async awsSettings(tenantId) {
      const p = await directory.profile(tenantId);
      return p?.mode === 'aws' ? p.aws : undefined;
    },
    forget(tenantId) {
      cache.delete(tenantId);
    },
  };
  return directory;
}
