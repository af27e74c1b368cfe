// Catalog data use cases: validated, audited changes to assets, policy definitions and contract definitions per tenant.
import type { EvaluationPlan, EvaluationResult, Policy, PolicyContext, PolicyEngine, PolicyFunctionSet, PolicyIssue, PolicyScope } from '../../policies/index';
import { createCatenaXFunctions, createPolicyEngine } from '../../policies/index';
import { appendAudit } from '../audit/audit-log';
import { fail, ok, type Result } from '../common/result';
import type { Database, TenantTx } from '../store/database';
import type { QuerySpec } from '../management/query-spec';
import type { Asset, AssetInput, AssetStore } from './asset-store';
import type { ContractDefinition, ContractDefinitionInput, ContractDefinitionStore } from './contract-definition-store';
import type { PolicyDefinition, PolicyDefinitionInput, PolicyDefinitionStore } from './policy-definition-store';

/** Who changes what, for the audit trail. */
export interface ActionContext {
  readonly tenantId: string;
  /** `user:<sub>` or `api-key:<id>` (Caller.actor). */
  readonly actor: string;
  readonly requestId?: string;
}

export interface CatalogDataServiceDeps {
  readonly db: Database;
  readonly assets: AssetStore;
  readonly policies: PolicyDefinitionStore;
  readonly contractDefinitions: ContractDefinitionStore;
  /** Constraint functions and policy checks (default: Catena-X). */
  readonly functions?: PolicyFunctionSet;
  readonly now?: () => Date;
  /** Whether an asset may not be deleted (e.g. a contract agreement names it); wired by the negotiation module. */
  readonly assetInUse?: (tx: TenantTx, assetId: string) => Promise<string | undefined>;
  /** Runs after every write transaction of a tenant's catalog ends (drops this process's catalog cache at once). */
  readonly onChanged?: (tenantId: string) => void;
}

export interface PolicyValidation {
  readonly valid: boolean;
  readonly issues: readonly PolicyIssue[];
}

export interface CatalogDataService {
  /** Creates an asset; `conflict` on a duplicate id. */
  createAsset(ctx: ActionContext, input: AssetInput): Promise<Result<Asset>>;
  /** Replaces an asset; `not-found` when absent. */
  updateAsset(ctx: ActionContext, input: AssetInput): Promise<Result<Asset>>;
  /** Deletes an asset; `conflict` when {@link CatalogDataServiceDeps.assetInUse} says so. */
  deleteAsset(ctx: ActionContext, id: string): Promise<Result<Asset>>;
  getAsset(tenantId: string, id: string): Promise<Result<Asset>>;
  listAssets(tenantId: string, spec: QuerySpec): Promise<Result<Asset[]>>;

  /**
   * Creates a policy definition after general validation (every constraint understood, operands valid); if a
   * contract definition already names it as contract policy, the Catena-X usage rules apply too.
   */
  createPolicy(ctx: ActionContext, input: PolicyDefinitionInput): Promise<Result<PolicyDefinition>>;
  /** Replaces a policy definition under the same validation as create. */
  updatePolicy(ctx: ActionContext, input: PolicyDefinitionInput): Promise<Result<PolicyDefinition>>;
  /** Deletes a policy definition; `conflict` while a contract definition references it. */
  deletePolicy(ctx: ActionContext, id: string): Promise<Result<PolicyDefinition>>;
  getPolicy(tenantId: string, id: string): Promise<Result<PolicyDefinition>>;
  listPolicies(tenantId: string, spec: QuerySpec): Promise<Result<PolicyDefinition[]>>;
  /** Re-validates a stored definition (general rules, plus usage rules when it is a contract policy). */
  validatePolicy(tenantId: string, id: string): Promise<Result<PolicyValidation>>;
  /** Which functions would run in `scope` (EDC evaluation plan). */
  evaluationPlan(tenantId: string, id: string, scope: PolicyScope): Promise<Result<EvaluationPlan>>;
  /** Evaluates the stored policy against a hypothetical counter-party and returns the explanation tree. */
  explain(tenantId: string, id: string, scope: PolicyScope, context: PolicyContext): Promise<Result<EvaluationResult>>;

  /** Creates a contract definition; its contract policy, if it exists, must pass the Catena-X usage rules. */
  createContractDefinition(ctx: ActionContext, input: ContractDefinitionInput): Promise<Result<ContractDefinition>>;
  updateContractDefinition(ctx: ActionContext, input: ContractDefinitionInput): Promise<Result<ContractDefinition>>;
  deleteContractDefinition(ctx: ActionContext, id: string): Promise<Result<ContractDefinition>>;
  getContractDefinition(tenantId: string, id: string): Promise<Result<ContractDefinition>>;
  listContractDefinitions(tenantId: string, spec: QuerySpec): Promise<Result<ContractDefinition[]>>;
}

/** Validation issues as error details; `lead` (when given) starts every message so each detail stands alone. */
function issueDetails(issues: readonly PolicyIssue[], prefix: string, lead?: string): { path: string; message: string }[] {
  return issues.map((i) => ({ path: i.path ? `${prefix}.${i.path}` : prefix, message: lead === undefined ? i.message : `${lead}: ${i.message}` }));
}

export function createCatalogDataService(deps: CatalogDataServiceDeps): CatalogDataService {
  const { db, assets, policies, contractDefinitions: cds } = deps;
  const now = deps.now ?? (() => new Date());
  /** A write transaction of the tenant's catalog; caches hear of it as soon as it ends (committed or not). */
  const write = <T>(tenantId: string, work: (tx: TenantTx) => Promise<T>): Promise<T> =>
    db.withTenant(tenantId, work).finally(() => deps.onChanged?.(tenantId));
  const functions = deps.functions ?? createCatenaXFunctions();
  const engine: PolicyEngine = createPolicyEngine({ functions });
  const generalEngine: PolicyEngine = createPolicyEngine({ functions: { constraints: functions.constraints, checks: [] } });

  async function audit(tx: TenantTx, ctx: ActionContext, action: string, target: string, before: unknown, after: unknown): Promise<void> {
    await appendAudit(tx, {
      actor: ctx.actor, action, target, ...(before !== undefined ? { before } : {}), ...(after !== undefined ? { after } : {}),
      ...(ctx.requestId !== undefined ? { requestId: ctx.requestId } : {}),
    }, now());
  }

  function generalIssues(policy: Policy): readonly PolicyIssue[] {
    const r = generalEngine.validate(policy, { kind: 'usage' });
    return r.ok ? [] : r.details;
  }

  function usageIssues(policy: Policy): readonly PolicyIssue[] {
    const r = engine.validate(policy, { kind: 'usage' });
    return r.ok ? [] : r.details;
  }

  /** General validation, plus the usage rules when contract definitions offer this policy as contract policy. */
  async function checkPolicy(tx: TenantTx, input: PolicyDefinitionInput): Promise<Result<void>> {
    const general = generalIssues(input.policy);
    if (general.length > 0) return fail('bad-request', `invalid policy: ${general.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issueDetails(general, 'policy'));
    const users = (await cds.referencing(tx, input.id)).filter((d) => d.contractPolicyId === input.id).map((d) => d.id);
    if (users.length === 0) return ok(undefined);
    const usage = usageIssues(input.policy);
    if (usage.length === 0) return ok(undefined);
    const lead = `policy definition '${input.id}' is the contract policy of contract definition(s) ${users.join(', ')} and must be a Catena-X usage policy`;
    return fail('bad-request', `${lead}: ${usage.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issueDetails(usage, 'policy', lead));
  }

  async function checkContractPolicy(tx: TenantTx, input: ContractDefinitionInput): Promise<Result<void>> {
    const policy = await policies.get(tx, input.contractPolicyId);
    if (!policy.ok) return ok(undefined);
    const usage = usageIssues(policy.value.policy);
    if (usage.length === 0) return ok(undefined);
    const lead = `contractPolicyId '${input.contractPolicyId}' does not name a valid Catena-X usage policy`;
    return fail('bad-request', `${lead}: ${usage.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issueDetails(usage, 'contractPolicyId', lead));
  }

  async function storedPolicy(tenantId: string, id: string): Promise<Result<PolicyDefinition>> {
    return db.withTenant(tenantId, (tx) => policies.get(tx, id));
  }

  return {
    createAsset: (ctx, input) => write(ctx.tenantId, async (tx) => {
      const r = await assets.create(tx, input);
      if (r.ok) await audit(tx, ctx, 'asset.create', `asset/${input.id}`, undefined, r.value);
      return r;
    }),
    updateAsset: (ctx, input) => write(ctx.tenantId, async (tx) => {
      const before = await assets.get(tx, input.id);
      if (!before.ok) return before;
      const r = await assets.update(tx, input);
      if (r.ok) await audit(tx, ctx, 'asset.update', `asset/${input.id}`, before.value, r.value);
      return r;
    }),
    deleteAsset: (ctx, id) => write(ctx.tenantId, async (tx) => {
      const existing = await assets.get(tx, id);
      if (!existing.ok) return existing;
      const inUse = deps.assetInUse ? await deps.assetInUse(tx, id) : undefined;
      if (inUse !== undefined) return fail('conflict', `Asset ${id} cannot be deleted: ${inUse}`);
      const r = await assets.delete(tx, id);
      if (r.ok) await audit(tx, ctx, 'asset.delete', `asset/${id}`, r.value, undefined);
      return r;
    }),
    getAsset: (tenantId, id) => db.withTenant(tenantId, (tx) => assets.get(tx, id)),
    listAssets: (tenantId, spec) => db.withTenant(tenantId, (tx) => assets.list(tx, spec)),

    createPolicy: (ctx, input) => write(ctx.tenantId, async (tx) => {
      const checked = await checkPolicy(tx, input);
      if (!checked.ok) return checked;
      const r = await policies.create(tx, input);
      if (r.ok) await audit(tx, ctx, 'policy-definition.create', `policy-definition/${input.id}`, undefined, r.value);
      return r;
    }),
    updatePolicy: (ctx, input) => write(ctx.tenantId, async (tx) => {
      const before = await policies.get(tx, input.id);
      if (!before.ok) return before;
      const checked = await checkPolicy(tx, input);
      if (!checked.ok) return checked;
      const r = await policies.update(tx, input);
      if (r.ok) await audit(tx, ctx, 'policy-definition.update', `policy-definition/${input.id}`, before.value, r.value);
      return r;
    }),
    deletePolicy: (ctx, id) => write(ctx.tenantId, async (tx) => {
      const existing = await policies.get(tx, id);
      if (!existing.ok) return existing;
      const users = await cds.referencing(tx, id);
      if (users.length > 0) {
        return fail('conflict', `PolicyDefinition ${id} cannot be deleted: it is referenced by contract definition(s) ${users.map((d) => d.id).join(', ')}`);
      }
      const r = await policies.delete(tx, id);
      if (r.ok) await audit(tx, ctx, 'policy-definition.delete', `policy-definition/${id}`, r.value, undefined);
      return r;
    }),
    getPolicy: storedPolicy,
    listPolicies: (tenantId, spec) => db.withTenant(tenantId, (tx) => policies.list(tx, spec)),
    validatePolicy: (tenantId, id) => db.withTenant(tenantId, async (tx) => {
      const stored = await policies.get(tx, id);
      if (!stored.ok) return stored;
      const checked = await checkPolicy(tx, stored.value);
      if (checked.ok) return ok({ valid: true, issues: [] });
      const issues = (checked.details ?? []) as PolicyIssue[];
      return ok({ valid: false, issues: issues.length > 0 ? issues : [{ path: '', message: checked.message }] });
    }),
    async evaluationPlan(tenantId, id, scope) {
      const stored = await storedPolicy(tenantId, id);
      return stored.ok ? ok(engine.evaluationPlan(stored.value.policy, scope)) : stored;
    },
    async explain(tenantId, id, scope, context) {
      const stored = await storedPolicy(tenantId, id);
      return stored.ok ? ok(engine.evaluate(stored.value.policy, scope, context)) : stored;
    },

    createContractDefinition: (ctx, input) => write(ctx.tenantId, async (tx) => {
      const checked = await checkContractPolicy(tx, input);
      if (!checked.ok) return checked;
      const r = await cds.create(tx, input);
      if (r.ok) await audit(tx, ctx, 'contract-definition.create', `contract-definition/${input.id}`, undefined, r.value);
      return r;
    }),
    updateContractDefinition: (ctx, input) => write(ctx.tenantId, async (tx) => {
      const before = await cds.get(tx, input.id);
      if (!before.ok) return before;
      const checked = await checkContractPolicy(tx, input);
      if (!checked.ok) return checked;
      const r = await cds.update(tx, input);
      if (r.ok) await audit(tx, ctx, 'contract-definition.update', `contract-definition/${input.id}`, before.value, r.value);
      return r;
    }),
    deleteContractDefinition: (ctx, id) => write(ctx.tenantId, async (tx) => {
      const r = await cds.delete(tx, id);
      if (r.ok) await audit(tx, ctx, 'contract-definition.delete', `contract-definition/${id}`, r.value, undefined);
      return r;
    }),
    getContractDefinition: (tenantId, id) => db.withTenant(tenantId, (tx) => cds.get(tx, id)),
    listContractDefinitions: (tenantId, spec) => db.withTenant(tenantId, (tx) => cds.list(tx, spec)),
  };
}
