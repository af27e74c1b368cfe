// Tenant lifecycle hooks for credentials: validate/provision AWS settings at onboarding, remove keys and AWS resources at offboarding.
import { fail, ok, type Failure, type Result } from '../../common/result';
import type { Logger } from '../../observability/logger';
import type { Database } from '../../store/database';
import type { TenantLifecycleHooks } from '../../tenancy/tenant-service';
import { findTenant } from '../../tenancy/tenant-store';
import type { AwsTenantProvisioning } from '../aws/provisioning';
import { validateAwsTenantSettings, type AwsTenantSettings } from '../aws/tenant-settings';
import type { TenantKeyProvider } from '../key-provider';

/** The local key store as the hooks need it: `revokeAll`, and crypto-erasure when the store supports it. */
export type ErasableKeyStore = TenantKeyProvider & { eraseTenant?(tenantId: string): Promise<void> };

export interface TenantCredentialHooksDeps {
  readonly db: Database;
  readonly keyStore: ErasableKeyStore;
  readonly logger: Logger;
  /** Present when the connector provisions each aws tenant's Cognito app client and secret itself. */
  readonly provisioning?: AwsTenantProvisioning;
  /** Secret names must be under `${secretPrefix}${tenantId}/` (default `pcf/tenants/`). */
  readonly secretPrefix: string;
  /** Resource server identifier prefix of provisioned tenants (default `pcf-exchange/`). */
  readonly resourceServerPrefix: string;
  /** Scope name on a provisioned tenant's resource server (default `footprints.read`). */
  readonly scopeName: string;
  /** Drops every in-memory cache of a tenant (profile, AWS sessions and tokens, verified tokens, key sets). */
  readonly evict: (tenantId: string) => void;
}

/** The aws body fields an operator may give when the connector provisions the tenant. */
const PROVISIONED_KEYS = ['region', 'roleArn', 'externalId', 'cognito'];
const PROVISIONED_COGNITO_KEYS = ['userPoolId', 'domain', 'tokenMode'];
const GENERATED = new Set(['secretId', 'cognito.clientId', 'cognito.scope']);

/** `cognito.domain: required …` → `{ path: '/aws/cognito/domain', message }` (the tenant service's detail shape). */
function fieldDetail(problem: string): { path: string; message: string } {
  const i = problem.indexOf(': ');
  const field = i < 0 ? '' : problem.slice(0, i);
  if (field === 'tenantId') return { path: '/id', message: problem.slice(i + 2) };
  if (field === '' || field === 'aws settings') return { path: '/aws', message: i < 0 ? problem : problem.slice(i + 2) };
  return { path: `/aws/${field.split('.').join('/')}`, message: problem.slice(i + 2) };
}

function badRequest(message: string, problems: readonly unknown[]): Failure {
  return fail('bad-request', message, problems.map((p) => fieldDetail(String(p))));
}

function toRecord(s: AwsTenantSettings): Record<string, unknown> {
  return { ...s, cognito: { ...s.cognito } };
}

export function createTenantCredentialHooks(deps: TenantCredentialHooksDeps): Required<Pick<TenantLifecycleHooks, 'prepareCredentials' | 'afterOnboard' | 'beforeErase' | 'afterErase'>> {
  const log = deps.logger.child({ component: 'credentials.tenant-hooks' });
  const validation = { secretPrefix: deps.secretPrefix };

  /** Checks the operator's aws body for provisioning and completes it with the generated names, for one validation pass. */
  function provisioningDraft(tenantId: string, aws: unknown): Result<AwsTenantSettings> {
    if (aws === null || typeof aws !== 'object' || Array.isArray(aws)) return fail('bad-request', 'aws: must be an object', [{ path: '/aws', message: 'must be an object' }]);
    const raw = aws as Record<string, unknown>;
    const problems: string[] = [];
    for (const k of Object.keys(raw)) {
      if (GENERATED.has(k)) problems.push(`${k}: set by the connector when it provisions the tenant; leave it out`);
      else if (!PROVISIONED_KEYS.includes(k)) problems.push(`${k}: unknown setting`);
    }
    const cognito = raw.cognito;
    if (cognito !== null && typeof cognito === 'object' && !Array.isArray(cognito)) {
      for (const k of Object.keys(cognito)) {
        if (GENERATED.has(`cognito.${k}`)) problems.push(`cognito.${k}: set by the connector when it provisions the tenant; leave it out`);
        else if (!PROVISIONED_COGNITO_KEYS.includes(k)) problems.push(`cognito.${k}: unknown setting`);
      }
    }
    const c = cognito !== null && typeof cognito === 'object' && !Array.isArray(cognito) ? (cognito as Record<string, unknown>) : undefined;
    const candidate = {
      ...Object.fromEntries(Object.entries(raw).filter(([k]) => PROVISIONED_KEYS.includes(k))),
      secretId: `${deps.secretPrefix}${tenantId}/cognito-client`,
      cognito: c === undefined ? cognito : {
        userPoolId: c.userPoolId, tokenMode: c.tokenMode, ...(c.domain === undefined ? {} : { domain: c.domain }),
        clientId: 'pending', scope: `${deps.resourceServerPrefix}${tenantId}/${deps.scopeName}`,
      },
    };
    const checked = validateAwsTenantSettings(tenantId, candidate, validation);
    const all = [...problems, ...(checked.ok ? [] : (checked.details ?? [checked.message]).map(String))];
    if (all.length > 0) return badRequest(`invalid aws settings: ${all.join('; ')}`, all);
    return checked;
  }

  async function provision(tenantId: string, aws: unknown, provisioning: AwsTenantProvisioning): Promise<Result<Record<string, unknown> | null>> {
    const draft = provisioningDraft(tenantId, aws);
    if (!draft.ok) return draft;
    if (await deps.db.withSystem((tx) => findTenant(tx, tenantId)) !== undefined) return fail('conflict', 'a tenant with this id already exists');
    const d = draft.value;
    const onboarded = await provisioning.onboard({
      tenantId, region: d.region, roleArn: d.roleArn, userPoolId: d.cognito.userPoolId, tokenMode: d.cognito.tokenMode,
      ...(d.externalId === undefined ? {} : { externalId: d.externalId }), ...(d.cognito.domain === undefined ? {} : { domain: d.cognito.domain }),
    });
    if (!onboarded.ok) {
      const path = onboarded.message.startsWith('roleArn:') ? '/aws/roleArn' : '/aws';
      return fail('bad-request', `aws onboarding refused: ${onboarded.message}`, [{ path, message: onboarded.message }]);
    }
    return ok(toRecord(onboarded.value));
  }

  async function removeAwsResources(tenantId: string, stored: Record<string, unknown> | null): Promise<void> {
    if (deps.provisioning === undefined) {
      log.info('aws resources of the tenant are operator-managed; the connector leaves them in place', { tenantId });
      return;
    }
    const settings = validateAwsTenantSettings(tenantId, stored, validation);
    if (!settings.ok) {
      log.error('stored aws settings are invalid; no aws resources removed', { tenantId, problems: settings.details });
      return;
    }
    const s = settings.value;
    const outcome = await deps.provisioning.offboard(tenantId, s);
    if (!outcome.ok) {
      log.error('aws offboarding incomplete; remove the leftovers by hand', {
        tenantId, region: s.region, problems: outcome.message,
        leftovers: [`cognito app client ${s.cognito.clientId} in ${s.cognito.userPoolId}`, `secrets manager entry ${s.secretId}`, `resource server of scope ${s.cognito.scope}`],
      });
    }
  }

  return {
    async prepareCredentials(tenantId, mode, aws) {
      deps.evict(tenantId);
      if (mode === 'local') return ok(null);
      if (deps.provisioning !== undefined) return provision(tenantId, aws, deps.provisioning);
      const settings = validateAwsTenantSettings(tenantId, aws, validation);
      if (!settings.ok) return badRequest(settings.message, settings.details ?? [settings.message]);
      return ok(toRecord(settings.value));
    },
    async afterOnboard(tenant) {
      deps.evict(tenant.id);
    },
    async beforeErase(tenant) {
      deps.evict(tenant.id);
      if (tenant.credentialMode === 'aws') await removeAwsResources(tenant.id, tenant.awsSettings);
      await deps.keyStore.revokeAll(tenant.id);
      await deps.keyStore.eraseTenant?.(tenant.id);
      log.info('tenant credentials removed', { tenantId: tenant.id, mode: tenant.credentialMode });
    },
    afterErase(tenantId) {
      deps.evict(tenantId);
    },
  };
}
