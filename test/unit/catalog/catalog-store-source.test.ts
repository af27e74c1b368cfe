// The store-backed catalog source reads each catalog row once per transaction; with its cache, once until the catalog changes.
import { createSqlAssetStore } from '../../../connector/catalog/asset-store';
import { createSqlContractDefinitionStore } from '../../../connector/catalog/contract-definition-store';
import { createSqlPolicyDefinitionStore } from '../../../connector/catalog/policy-definition-store';
import { EDC_ID, EDC_NS } from '../../../connector/catalog/vocabulary';
import { createCatalogDataService } from '../../../connector/catalog/catalog-data-service';
import { createCatalogCache, createStoreCatalogSource } from '../../../connector/catalog-service/catalog-store-source';
import type { TenantTx } from '../../../connector/store/database';
import { parsePolicyDefinition, pcfUsagePolicy } from '../../../policies/index';
import { insertTenantRow, openTestDatabase, testEngines, type TestDatabase } from '../../support/databases';

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
    const value = await db.withTenant('t1', (tx) => work({ tenantId: tx.tenantId, query: (sql, params) => { statements++; return tx.query(sql, params); }, defer: tx.defer }));
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

describe.each(testEngines())('store catalog source with its cache on %s', (engine) => {
  let db: TestDatabase;
  const now = () => new Date('2026-01-01T00:00:00Z');
  const stores = { assets: createSqlAssetStore({ now }), policies: createSqlPolicyDefinitionStore({ now }), contractDefinitions: createSqlContractDefinitionStore({ now }) };

  beforeAll(async () => {
    db = await openTestDatabase(engine);
    await insertTenantRow(db, 't1');
    await insertTenantRow(db, 't2');
    const parsed = await parsePolicyDefinition(pcfUsagePolicy({}));
    if (!parsed.ok) throw new Error(parsed.message);
    for (const t of ['t1', 't2']) {
      await db.withTenant(t, async (tx) => {
        await stores.assets.create(tx, { id: 'a1', properties: {}, privateProperties: {}, dataAddress: { [`${EDC_NS}type`]: 'HttpData' } });
        await stores.policies.create(tx, { id: 'p', policy: parsed.value.policy, privateProperties: {} });
        await stores.contractDefinitions.create(tx, { id: `cd-${t}`, accessPolicyId: 'p', contractPolicyId: 'p', assetsSelector: [], privateProperties: {} });
      });
    }
  });

  afterAll(async () => {
    await db.close();
  });

  async function counted<T>(tenant: string, work: (tx: TenantTx) => Promise<T>): Promise<{ value: T; statements: number }> {
    let statements = 0;
    const value = await db.withTenant(tenant, (tx) => work({ tenantId: tx.tenantId, query: (sql, params) => { statements++; return tx.query(sql, params); }, defer: tx.defer }));
    return { value, statements };
  }
  const ids = (defs: readonly { id: string }[]) => defs.map((d) => d.id).sort();

  it('reads once across transactions, per tenant, and follows every committed change (feed or local write)', async () => {
    const cache = createCatalogCache(db);
    await cache.start();
    try {
      const source = createStoreCatalogSource(stores, cache);
      const read = (tenant: string) => counted(tenant, async (tx) => ({ defs: await source.contractDefinitions(tx), policy: await source.policy(tx, 'p'), assets: await source.assetsOf(tx, { id: `cd-${tenant}`, accessPolicyId: 'p', contractPolicyId: 'p' }) }));
      expect((await read('t1')).statements).toBe(3);
      const again = await read('t1');
      expect(again.statements).toBe(0);
      expect(ids(again.value.defs)).toEqual(['cd-t1']);
      // Another tenant has its own entries.
      const other = await read('t2');
      expect(other.statements).toBe(3);
      expect(ids(other.value.defs)).toEqual(['cd-t2']);

      // A change committed outside this process's services reaches the cache through the change feed.
      await db.withTenant('t1', (tx) => stores.contractDefinitions.create(tx, { id: 'cd-new', accessPolicyId: 'p', contractPolicyId: 'p', assetsSelector: [], privateProperties: {} }));
      const until = Date.now() + 5_000;
      let seen: string[] = [];
      while (Date.now() < until) {
        seen = ids((await read('t1')).value.defs);
        if (seen.includes('cd-new')) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(seen).toEqual(['cd-new', 'cd-t1']);
      expect((await read('t2')).statements).toBe(0);

      // A write through the catalog service drops the tenant's entries before it returns.
      const service = createCatalogDataService({ db, ...stores, now, onChanged: (t) => cache.invalidate(t) });
      expect((await service.deleteContractDefinition({ tenantId: 't1', actor: 'user:test' }, 'cd-new')).ok).toBe(true);
      const afterDelete = await read('t1');
      expect(afterDelete.statements).toBeGreaterThan(0);
      expect(ids(afterDelete.value.defs)).toEqual(['cd-t1']);
    } finally {
      await cache.stop();
    }
  });

  it('reads from the database while the cache is not listening', async () => {
    const cache = createCatalogCache(db);
    const source = createStoreCatalogSource(stores, cache);
    expect((await counted('t1', (tx) => source.contractDefinitions(tx))).statements).toBe(1);
    expect((await counted('t1', (tx) => source.contractDefinitions(tx))).statements).toBe(1);
  });
});
