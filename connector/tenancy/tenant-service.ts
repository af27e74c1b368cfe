// Onboarding and offboarding (with erasure), API keys and user roles: the tenancy rules, audited, without HTTP.
import { appendAudit } from '../audit/audit-log';
import { appendOperatorAudit, tenantPseudonym } from '../audit/operator-audit-log';
import { fail, ok, type Result } from '../common/result';
import { isValidTenantId } from '../common/tenant-id';
import type { Database } from '../store/database';
import { eraseTenant, type ErasureReport } from '../store/tenant-erasure';
import { issueApiKey } from './api-keys';
import { isRole, type Role } from './caller';
import {
  deleteUserRole, findTenant, insertApiKey, insertTenant, listApiKeys, listTenants, listUserRoles, markOffboarding,
  revokeApiKey, TenantConflictError, upsertUserRole, type ApiKeyRecord, type TenantRecord, type UserRoleRecord,
} from './tenant-store';

export const BPNL_PATTERN = /^BPNL[0-9A-Z]{12}$/;

export interface OnboardInput {
  readonly id: unknown;
  readonly displayName: unknown;
  readonly bpn: unknown;
  readonly region?: unknown;
  readonly credentialMode?: unknown;
  readonly aws?: unknown;
}

export interface Onboarded {
  readonly tenant: TenantRecord;
  /** The first admin API key, returned once. */
  readonly adminApiKey: string;
}

/** Extension points run at onboarding/offboarding (key stores, AWS provisioning, caches). */
export interface TenantLifecycleHooks {
  /** Validates and completes credential settings for a new tenant (aws mode); a failure refuses the onboarding. */
  prepareCredentials?(tenantId: string, mode: 'local' | 'aws', aws: unknown): Promise<Result<Record<string, unknown> | null>>;
  /** Runs after the tenant exists (e.g. issue development credentials). */
  afterOnboard?(tenant: TenantRecord): Promise<void>;
  /** Runs before the tenant's rows are erased (e.g. delete its cloud resources). */
  beforeErase?(tenant: TenantRecord): Promise<void>;
  /** Runs after the erasure committed (drop in-memory caches and revoke cached tokens). */
  afterErase?(tenantId: string): void;
}

export interface TenantServiceDeps {
  readonly db: Database;
  readonly allowedRegions: readonly string[];
  readonly defaultRegion: string;
  /** Key for operator-trail pseudonyms (derived from the master key). */
  readonly pseudonymKey: Buffer;
  readonly hooks?: TenantLifecycleHooks;
  readonly now?: () => Date;
  /** Called after a change that must refuse existing credentials at once (key revoked, tenant offboarding). */
  readonly onCredentialsChanged?: (tenantId: string) => void;
}

export interface RequestMeta {
  readonly actor: string;
  readonly requestId?: string;
}

export interface TenantService {
  onboard(input: OnboardInput, meta: RequestMeta): Promise<Result<Onboarded>>;
  get(tenantId: string): Promise<TenantRecord | undefined>;
  list(afterId: string, limit: number): Promise<TenantRecord[]>;
  /** Erases every row of the tenant; leaves only the pseudonymised erasure record in the operator trail. */
  offboard(tenantId: string, meta: RequestMeta): Promise<Result<ErasureReport>>;
  createApiKey(tenantId: string, name: unknown, role: unknown, meta: RequestMeta): Promise<Result<{ record: ApiKeyRecord; key: string }>>;
  listApiKeys(tenantId: string): Promise<ApiKeyRecord[]>;
  revokeApiKey(tenantId: string, keyId: string, meta: RequestMeta): Promise<Result<ApiKeyRecord>>;
  setUserRole(tenantId: string, subject: string, role: unknown, meta: RequestMeta): Promise<Result<UserRoleRecord>>;
  listUserRoles(tenantId: string): Promise<UserRoleRecord[]>;
  removeUserRole(tenantId: string, subject: string, meta: RequestMeta): Promise<Result<UserRoleRecord>>;
}

function text(value: unknown, max: number): string | undefined {
  return typeof value === 'string' && value.trim().length > 0 && value.length <= max ? value.trim() : undefined;
}

export function createTenantService(deps: TenantServiceDeps): TenantService {
  const now = deps.now ?? (() => new Date());
  const hooks = deps.hooks ?? {};
  const pseudonym = (id: string) => tenantPseudonym(deps.pseudonymKey, id);

  async function validate(input: OnboardInput): Promise<Result<Omit<TenantRecord, 'createdAt' | 'updatedAt' | 'status'>>> {
    if (typeof input !== 'object' || input === null) return fail('bad-request', 'the body must be a JSON object');
    if (!isValidTenantId(input.id)) return fail('bad-request', 'id must be a slug of 2–63 lowercase letters, digits and hyphens, starting with a letter', [{ path: '/id', message: 'invalid tenant id', invalidValue: input.id }]);
    const displayName = text(input.displayName, 200);
    if (!displayName) return fail('bad-request', 'displayName is required (1–200 characters)', [{ path: '/displayName', message: 'required, 1–200 characters' }]);
    if (typeof input.bpn !== 'string' || !BPNL_PATTERN.test(input.bpn)) return fail('bad-request', 'bpn must be a legal-entity BPN: BPNL followed by 12 digits or capital letters', [{ path: '/bpn', message: 'BPNL + 12 characters', invalidValue: input.bpn }]);
    const region = input.region === undefined ? deps.defaultRegion : input.region;
    if (typeof region !== 'string' || !deps.allowedRegions.includes(region)) {
      return fail('bad-request', `region ${String(region)} is not allowed in this deployment (data residency); allowed: ${deps.allowedRegions.join(', ')}`, [{ path: '/region', message: 'region not allowed', invalidValue: region }]);
    }
    const mode = input.credentialMode === undefined ? 'local' : input.credentialMode;
    if (mode !== 'local' && mode !== 'aws') return fail('bad-request', 'credentialMode must be local or aws', [{ path: '/credentialMode', message: 'local or aws', invalidValue: mode }]);
    if (mode === 'local' && input.aws !== undefined) return fail('bad-request', 'aws settings are only accepted with credentialMode aws', [{ path: '/aws', message: 'not allowed in local mode' }]);
    let awsSettings: Record<string, unknown> | null = null;
    if (mode === 'aws') {
      if (!hooks.prepareCredentials) return fail('bad-request', 'this deployment cannot onboard tenants in aws credential mode', [{ path: '/credentialMode', message: 'aws mode unavailable' }]);
    }
    if (hooks.prepareCredentials) {
      const prepared = await hooks.prepareCredentials(input.id, mode, input.aws);
      if (!prepared.ok) return prepared;
      awsSettings = prepared.value;
    }
    if (awsSettings && typeof awsSettings.region === 'string' && awsSettings.region !== region) {
      return fail('bad-request', `aws.region ${awsSettings.region} differs from the tenant region ${region} (data residency)`, [{ path: '/aws/region', message: 'must equal region' }]);
    }
    return ok({ id: input.id, displayName, bpn: input.bpn, region, credentialMode: mode, awsSettings });
  }

  const service: TenantService = {
    async onboard(input, meta) {
      const valid = await validate(input);
      if (!valid.ok) return valid;
      const t = valid.value;
      let tenant: TenantRecord;
      try {
        tenant = await deps.db.withSystem(async (tx) => {
          const created = await insertTenant(tx, t);
          await appendOperatorAudit(tx, { actor: meta.actor, action: 'tenant.onboard', target: pseudonym(t.id), details: { region: t.region, credentialMode: t.credentialMode }, requestId: meta.requestId }, now());
          return created;
        });
      } catch (err) {
        if (err instanceof TenantConflictError) return fail('conflict', 'a tenant with this id or BPN already exists');
        throw err;
      }
      const issued = issueApiKey(tenant.id);
      try {
        await deps.db.withTenant(tenant.id, async (tx) => {
          await appendAudit(tx, { actor: meta.actor, action: 'tenant.onboard', target: `tenant/${tenant.id}`, after: tenant, requestId: meta.requestId }, now());
          const record = await insertApiKey(tx, { id: issued.id, name: 'initial admin key', role: 'admin', secretHash: issued.secretHash, createdBy: meta.actor });
          await appendAudit(tx, { actor: meta.actor, action: 'api-key.create', target: `api-key/${record.id}`, after: record, requestId: meta.requestId }, now());
        });
        await hooks.afterOnboard?.(tenant);
      } catch (err) {
        await eraseTenant(deps.db, tenant.id, async (tx, report) => {
          await appendOperatorAudit(tx, { actor: 'system', action: 'tenant.onboard-rollback', target: pseudonym(tenant.id), details: { removed: report.removed } }, now());
        });
        throw err;
      }
      return ok({ tenant, adminApiKey: issued.key });
    },

    get: (tenantId) => (isValidTenantId(tenantId) ? deps.db.withSystem((tx) => findTenant(tx, tenantId)) : Promise.resolve(undefined)),

    list: (afterId, limit) => deps.db.withSystem((tx) => listTenants(tx, afterId, limit)),

    async offboard(tenantId, meta) {
      const tenant = await service.get(tenantId);
      if (!tenant) return fail('not-found', `tenant ${tenantId} does not exist`);
      await deps.db.withSystem((tx) => markOffboarding(tx, tenantId));
      deps.onCredentialsChanged?.(tenantId);
      await hooks.beforeErase?.(tenant);
      const report = await eraseTenant(deps.db, tenantId, async (tx, r) => {
        await appendOperatorAudit(tx, { actor: meta.actor, action: 'tenant.erase', target: pseudonym(tenantId), details: { removed: r.removed }, requestId: meta.requestId }, now());
      });
      hooks.afterErase?.(tenantId);
      deps.onCredentialsChanged?.(tenantId);
      return ok(report);
    },

    async createApiKey(tenantId, name, role, meta) {
      const label = text(name, 100);
      if (!label) return fail('bad-request', 'name is required (1–100 characters)', [{ path: '/name', message: 'required' }]);
      if (!isRole(role)) return fail('bad-request', 'role must be admin, publisher or viewer', [{ path: '/role', message: 'admin, publisher or viewer', invalidValue: role }]);
      const issued = issueApiKey(tenantId);
      const record = await deps.db.withTenant(tenantId, async (tx) => {
        const r = await insertApiKey(tx, { id: issued.id, name: label, role, secretHash: issued.secretHash, createdBy: meta.actor });
        await appendAudit(tx, { actor: meta.actor, action: 'api-key.create', target: `api-key/${r.id}`, after: r, requestId: meta.requestId }, now());
        return r;
      });
      return ok({ record, key: issued.key });
    },

    listApiKeys: (tenantId) => deps.db.withTenant(tenantId, listApiKeys),

    async revokeApiKey(tenantId, keyId, meta) {
      const revoked = await deps.db.withTenant(tenantId, async (tx) => {
        const r = await revokeApiKey(tx, keyId);
        if (r) await appendAudit(tx, { actor: meta.actor, action: 'api-key.revoke', target: `api-key/${keyId}`, before: { ...r, revokedAt: null }, after: r, requestId: meta.requestId }, now());
        return r;
      });
      if (!revoked) return fail('not-found', `no active API key ${keyId}`);
      deps.onCredentialsChanged?.(tenantId);
      return ok(revoked);
    },

    async setUserRole(tenantId, subject, role, meta) {
      if (!text(subject, 256)) return fail('bad-request', 'subject must be 1–256 characters');
      if (role !== 'none' && !isRole(role)) return fail('bad-request', 'role must be admin, publisher, viewer or none', [{ path: '/role', message: 'invalid role', invalidValue: role }]);
      const after = await deps.db.withTenant(tenantId, async (tx) => {
        const r = await upsertUserRole(tx, subject, role as Role | 'none', meta.actor);
        await appendAudit(tx, { actor: meta.actor, action: 'user-role.set', target: `user/${subject}`, before: r.before, after: r.after, requestId: meta.requestId }, now());
        return r.after;
      });
      return ok(after);
    },

    listUserRoles: (tenantId) => deps.db.withTenant(tenantId, listUserRoles),

    async removeUserRole(tenantId, subject, meta) {
      const removed = await deps.db.withTenant(tenantId, async (tx) => {
        const r = await deleteUserRole(tx, subject);
        if (r) await appendAudit(tx, { actor: meta.actor, action: 'user-role.remove', target: `user/${subject}`, before: r, requestId: meta.requestId }, now());
        return r;
      });
      return removed ? ok(removed) : fail('not-found', `no role assignment for ${subject}`);
    },
  };
  return service;
}
