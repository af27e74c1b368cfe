// The store-backed catalog source reads each catalog row once per transaction, and afresh in the next transaction.
import { createSqlAssetStore } from '../../../connector/catalog/asset-store';
import { createSqlContractDefinitionStore } from '../../../connector/catalog/contract-definition-store';
import { createSqlPolicyDefinitionStore } from '../../../connector/catalog/policy-definition-store';
import { EDC_ID, EDC_NS } from '../../../connector/catalog/vocabulary';
import { createStoreCatalogSource } from '../../../connector/catalog-service/catalog-store-source';
import type { TenantTx } from '../../../connector/store/database';
import { parsePolicyDefinition, pcfUsagePolicy } from '../../../policies/index';
import { insertTenantRow, openTestDatabase, type TestDatabase } from '../../support/databases';

describe('store catalog source', () => {
  let db: TestDatabase;
  const now = () => new Date('2026-01-01T00:00:00Z');
  const stores = { assets: createSqlAssetStore({ now }), policies: createSqlPolicyDefinitionStore({ now }), contractDefinitions: createSqlContractDefinitionStore({ now }) };

  beforeAll(async () => {
    db = await openTestDatabase('pglite');
    await insertTenantRow(db, 't1');
    const parsed = await parsePolicyDefinition(pcfUsagePolicy({}));
    if (!parsed.ok) throw new Error(parsed.message);
    await db.withTenant('t1', async (tx) => {
      await stores.assets.create(tx, { id: 'a1', properties: { [`${EDC_NS}name`]: 'one' }, privateProperties: {}, dataAddress: { [`${EDC_NS}type`]: 'HttpData' } });
      await stores.assets.create(tx, { id: 'a2', properties: {}, privateProperties: {}, dataAddress: { [`${EDC_NS}type`]: 'HttpData' } });
      await stores.policies.create(tx, { id: 'p', policy: parsed.value.policy, privateProperties: {} });
      await stores.contractDefinitions.create(tx, { id: 'cd', accessPolicyId: 'p', contractPolicyId: 'p', assetsSelector: [{ operandLeft: EDC_ID, operator: '=', operandRight: 'a1' }], privateProperties: {} });
    });
  });

  afterAll(async () => {
    await db.close();
  });

  /** Runs `work` in a transaction whose statements are counted. */
  async function counted<T>(work: (tx: TenantTx) => Promise<T>): Promise<{ value: T; statements: number }> {
    let statements = 0;
    const value = await db.withTenant('t1', (tx) => work({ tenantId: tx.tenantId, query: (sql, params) => { statements++; return tx.query(sql, params); } }));
    return { value, statements };
  }

  it('answers repeated questions in one transaction from what it already read', async () => {
    const source = createStoreCatalogSource(stores);
    const { value, statements } = await counted(async (tx) => {
      const defs = await source.contractDefinitions(tx);
      const again = await source.contractDefinition(tx, 'cd');
      const policies = await Promise.all([source.policy(tx, 'p'), source.policy(tx, 'p')]);
      const assets = await source.assetsOf(tx, defs[0] as (typeof defs)[number]);
      const assetsAgain = await source.assetsOf(tx, { id: 'cd', accessPolicyId: 'p', contractPolicyId: 'p' });
      return { defs, again, policies, assets, assetsAgain, missing: await source.contractDefinition(tx, 'nope') };
    });
    expect(value.defs.map((d) => d.id)).toEqual(['cd']);
    expect(value.again?.id).toBe('cd');
    expect(value.policies[0]).toBeDefined();
    expect(value.policies[0]).toBe(value.policies[1]);
    expect(value.assets.map((a) => a.id)).toEqual(['a1']);
    expect(value.assetsAgain).toEqual(value.assets);
    expect(value.missing).toBeUndefined();
    // One list of definitions, one policy, one list of assets.
    expect(statements).toBe(3);
  });

  it('reads afresh in the next transaction (nothing is kept across transactions)', async () => {
    const source = createStoreCatalogSource(stores);
    const first = await counted((tx) => source.contractDefinition(tx, 'cd'));
    await db.withTenant('t1', (tx) => stores.contractDefinitions.delete(tx, 'cd').then(() => stores.contractDefinitions.create(tx, { id: 'cd', accessPolicyId: 'p', contractPolicyId: 'p', assetsSelector: [], privateProperties: {} })));
    const second = await counted(async (tx) => ({ def: await source.contractDefinition(tx, 'cd'), assets: await source.assetsOf(tx, { id: 'cd', accessPolicyId: 'p', contractPolicyId: 'p' }) }));
    expect(first.statements).toBe(1);
    expect(second.statements).toBe(2);
    expect(second.value.def?.id).toBe('cd');
    expect(second.value.assets.map((a) => a.id).sort()).toEqual(['a1', 'a2']);
  });
});
