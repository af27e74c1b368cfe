// Catalog stores on both engines: CRUD, QuerySpec filters/sort/paging (SQL compared with the in-memory matcher), isolation.
import { createSqlAssetStore, type AssetInput } from '../../../connector/catalog/asset-store';
import { createSqlContractDefinitionStore, selectAssets } from '../../../connector/catalog/contract-definition-store';
import type { Criterion } from '../../../connector/catalog/criteria';
import { createSqlPolicyDefinitionStore } from '../../../connector/catalog/policy-definition-store';
import { DCT_TYPE, EDC_ID, EDC_NS } from '../../../connector/catalog/vocabulary';
import { querySpec } from '../../../connector/management/query-spec';
import { parsePolicyDefinition, pcfUsagePolicy } from '../../../policies/index';
import { insertTenantRow, openTestDatabase, testEngines, type TestDatabase } from '../../support/databases';

const PCF = 'https://w3id.org/catenax/taxonomy#PcfExchange';
const VERSION = 'https://w3id.org/catenax/ontology/common#version';

function asset(id: string, props: Record<string, unknown>, priv: Record<string, unknown> = {}): AssetInput {
  return { id, properties: props, privateProperties: priv, dataAddress: { [`${EDC_NS}type`]: 'HttpData', [`${EDC_NS}baseUrl`]: `https://backend/${id}` } };
}

const FIXTURES: AssetInput[] = [
  asset('pcf-1.1', { [DCT_TYPE]: { '@id': PCF }, [VERSION]: '1.1', [`${EDC_NS}name`]: 'PCF Data', [`${EDC_NS}rank`]: 3 }),
  asset('pcf-1.3', { [DCT_TYPE]: { '@id': PCF }, [VERSION]: '1.3.0', [`${EDC_NS}name`]: 'pcf data v2', [`${EDC_NS}rank`]: 10 }, { [`${EDC_NS}owner`]: 'team-a' }),
  asset('twin', { [DCT_TYPE]: { '@id': 'https://w3id.org/catenax/taxonomy#DigitalTwinRegistry' }, [`${EDC_NS}keywords`]: ['dtr', 'twin'], [`${EDC_NS}rank`]: 2 }),
  asset('plain', { [`${EDC_NS}name`]: 'Plain_100%', [`${EDC_NS}enabled`]: true }),
];

const CASES: [string, Criterion[]][] = [
  ['id =', [{ operandLeft: EDC_ID, operator: '=', operandRight: 'twin' }]],
  ['bare id', [{ operandLeft: 'id', operator: '=', operandRight: 'plain' }]],
  ['dct:type @id path', [{ operandLeft: `'${DCT_TYPE}'.'@id'`, operator: '=', operandRight: PCF }]],
  ['dct:type object value', [{ operandLeft: DCT_TYPE, operator: '=', operandRight: PCF }]],
  ['prefixed dct:type', [{ operandLeft: 'dct:type', operator: '=', operandRight: PCF }]],
  ['AND of two', [{ operandLeft: DCT_TYPE, operator: '=', operandRight: PCF }, { operandLeft: VERSION, operator: '=', operandRight: '1.3.0' }]],
  ['!=', [{ operandLeft: VERSION, operator: '!=', operandRight: '1.1' }]],
  ['in', [{ operandLeft: EDC_ID, operator: 'in', operandRight: ['twin', 'plain', 'nope'] }]],
  ['in scalar', [{ operandLeft: EDC_ID, operator: 'in', operandRight: 'twin' }]],
  ['not in', [{ operandLeft: EDC_ID, operator: 'not in', operandRight: ['twin', 'plain'] }]],
  ['like', [{ operandLeft: 'name', operator: 'like', operandRight: 'PCF%' }]],
  ['ilike', [{ operandLeft: 'name', operator: 'ilike', operandRight: 'pcf%' }]],
  ['like escaped', [{ operandLeft: 'name', operator: 'like', operandRight: 'Plain\\_100\\%' }]],
  ['like underscore', [{ operandLeft: 'name', operator: 'like', operandRight: 'Plain_1__%' }]],
  ['contains list', [{ operandLeft: 'keywords', operator: 'contains', operandRight: 'dtr' }]],
  ['numeric >', [{ operandLeft: 'rank', operator: '>', operandRight: 2 }]],
  ['numeric <= string', [{ operandLeft: 'rank', operator: '<=', operandRight: '3' }]],
  ['text <', [{ operandLeft: VERSION, operator: '<', operandRight: '1.2' }]],
  ['boolean', [{ operandLeft: 'enabled', operator: '=', operandRight: true }]],
  ['private property', [{ operandLeft: `privateProperties.'${EDC_NS}owner'`, operator: '=', operandRight: 'team-a' }]],
  ['missing property !=', [{ operandLeft: 'nothing', operator: '!=', operandRight: 'x' }]],
  ['createdAt >=', [{ operandLeft: 'createdAt', operator: '>=', operandRight: 1_700_000_000_002 }]],
];

describe.each(testEngines())('catalog stores on %s', (engine) => {
  let db: TestDatabase;
  let clock = 1_700_000_000_000;
  const now = (): Date => new Date(clock++);
  const assets = createSqlAssetStore({ now });
  const policies = createSqlPolicyDefinitionStore({ now });
  const definitions = createSqlContractDefinitionStore({ now });

  beforeAll(async () => {
    db = await openTestDatabase(engine);
    await insertTenantRow(db, 'alpha');
    await insertTenantRow(db, 'beta');
    await db.withTenant('alpha', async (tx) => {
      for (const a of FIXTURES) expect((await assets.create(tx, a)).ok).toBe(true);
    });
    await db.withTenant('beta', async (tx) => {
      expect((await assets.create(tx, asset('beta-only', { [`${EDC_NS}name`]: 'PCF beta' }))).ok).toBe(true);
    });
  });

  afterAll(async () => {
    await db.close();
  });

  it('creates, reads, updates and deletes an asset; the EDC id property mirrors the id', async () => {
    await db.withTenant('alpha', async (tx) => {
      const created = await assets.create(tx, asset('tmp', { [`${EDC_NS}name`]: 'x' }, { [`${EDC_NS}secret`]: 's' }));
      expect(created.ok && created.value.properties[EDC_ID]).toBe('tmp');
      expect(await assets.create(tx, asset('tmp', {}))).toMatchObject({ ok: false, reason: 'conflict' });
      const got = await assets.get(tx, 'tmp');
      expect(got.ok && got.value).toMatchObject({ id: 'tmp', privateProperties: { [`${EDC_NS}secret`]: 's' }, dataAddress: { [`${EDC_NS}type`]: 'HttpData' } });
      const createdAt = got.ok ? got.value.createdAt : 0;
      const updated = await assets.update(tx, asset('tmp', { [`${EDC_NS}name`]: 'y' }));
      expect(updated.ok && updated.value).toMatchObject({ createdAt, properties: { [`${EDC_NS}name`]: 'y', [EDC_ID]: 'tmp' }, privateProperties: {} });
      expect(await assets.update(tx, asset('absent', {}))).toMatchObject({ ok: false, reason: 'not-found' });
      expect((await assets.delete(tx, 'tmp')).ok).toBe(true);
      expect(await assets.get(tx, 'tmp')).toMatchObject({ ok: false, reason: 'not-found' });
      expect(await assets.delete(tx, 'tmp')).toMatchObject({ ok: false, reason: 'not-found' });
    });
  });

  it.each(CASES)('filter %s: SQL selects exactly what selectAssets selects', async (_name, criteria) => {
    await db.withTenant('alpha', async (tx) => {
      const all = await assets.list(tx, querySpec({ limit: 100 }));
      if (!all.ok) throw new Error(all.message);
      const expected = all.value.filter((a) => selectAssets(criteria, a)).map((a) => a.id).sort();
      const got = await assets.list(tx, querySpec({ filterExpression: criteria, limit: 100 }));
      if (!got.ok) throw new Error(got.message);
      expect(got.value.map((a) => a.id).sort()).toEqual(expected);
      expect(expected.length).toBeGreaterThan(0);
    });
  });

  it('selects the PCF assets by dct:type and version, as a catalog filter does', async () => {
    const r = await db.withTenant('alpha', (tx) => assets.list(tx, querySpec({ filterExpression: [{ operandLeft: `'${DCT_TYPE}'.'@id'`, operator: '=', operandRight: PCF }] })));
    expect(r.ok && r.value.map((a) => a.id).sort()).toEqual(['pcf-1.1', 'pcf-1.3']);
  });

  it('sorts by id, by a property and by createdAt, in both directions, and pages', async () => {
    await db.withTenant('alpha', async (tx) => {
      const ids = async (spec: Parameters<typeof querySpec>[0]): Promise<string[]> => {
        const r = await assets.list(tx, querySpec(spec));
        if (!r.ok) throw new Error(r.message);
        return r.value.map((a) => a.id);
      };
      expect(await ids({})).toEqual(['pcf-1.1', 'pcf-1.3', 'plain', 'twin']);
      expect(await ids({ sortOrder: 'DESC' })).toEqual(['twin', 'plain', 'pcf-1.3', 'pcf-1.1']);
      expect(await ids({ sortField: 'createdAt', sortOrder: 'DESC' })).toEqual(['plain', 'twin', 'pcf-1.3', 'pcf-1.1']);
      expect(await ids({ sortField: `${EDC_NS}name` })).toEqual(['pcf-1.1', 'plain', 'pcf-1.3', 'twin']);
      expect(await ids({ offset: 1, limit: 2 })).toEqual(['pcf-1.3', 'plain']);
      expect(await ids({ offset: 10 })).toEqual([]);
    });
  });

  it('refuses a malformed operand as a bad request', async () => {
    const r = await db.withTenant('alpha', (tx) => assets.list(tx, querySpec({ filterExpression: [{ operandLeft: "'unbalanced", operator: '=', operandRight: 'x' }] })));
    expect(r).toMatchObject({ ok: false, reason: 'bad-request' });
  });

  it('treats operand values as data, never as SQL', async () => {
    const r = await db.withTenant('alpha', (tx) => assets.list(tx, querySpec({ filterExpression: [{ operandLeft: "'x); DROP TABLE assets; --'.'@id'", operator: '=', operandRight: "'; DELETE FROM assets; --" }] })));
    expect(r).toEqual({ ok: true, value: [] });
    const all = await db.withTenant('alpha', (tx) => assets.list(tx, querySpec()));
    expect(all.ok && all.value.length).toBe(4);
  });

  it("another tenant's asset is not found and never listed", async () => {
    await db.withTenant('alpha', async (tx) => {
      expect(await assets.get(tx, 'beta-only')).toMatchObject({ ok: false, reason: 'not-found' });
      expect(await assets.delete(tx, 'beta-only')).toMatchObject({ ok: false, reason: 'not-found' });
      expect(await assets.update(tx, asset('beta-only', {}))).toMatchObject({ ok: false, reason: 'not-found' });
      const r = await assets.list(tx, querySpec({ filterExpression: [{ operandLeft: 'name', operator: 'like', operandRight: '%beta%' }] }));
      expect(r).toEqual({ ok: true, value: [] });
    });
    await db.withTenant('beta', async (tx) => {
      expect((await assets.create(tx, asset('twin', {}))).ok).toBe(true);
      expect((await assets.delete(tx, 'twin')).ok).toBe(true);
    });
    const still = await db.withTenant('alpha', (tx) => assets.get(tx, 'twin'));
    expect(still.ok).toBe(true);
  });

  it('stores policy definitions as the parsed model and returns the same object until updated', async () => {
    const parsed = await parsePolicyDefinition(pcfUsagePolicy());
    if (!parsed.ok) throw new Error(parsed.message);
    await db.withTenant('alpha', async (tx) => {
      const created = await policies.create(tx, { id: 'pcf-usage', policy: parsed.value.policy, privateProperties: { [`${EDC_NS}note`]: 'n' } });
      expect(created.ok && created.value.policy).toEqual(parsed.value.policy);
      expect(await policies.create(tx, { id: 'pcf-usage', policy: parsed.value.policy, privateProperties: {} })).toMatchObject({ ok: false, reason: 'conflict' });
      const a = await policies.get(tx, 'pcf-usage');
      const b = await policies.get(tx, 'pcf-usage');
      expect(a.ok && b.ok && a.value.policy === b.value.policy).toBe(true);
      const changed = { ...parsed.value.policy, permissions: [] };
      const updated = await policies.update(tx, { id: 'pcf-usage', policy: changed, privateProperties: {} });
      expect(updated.ok && updated.value.policy.permissions).toEqual([]);
      const c = await policies.get(tx, 'pcf-usage');
      expect(c.ok && c.value.policy.permissions).toEqual([]);
      const many = await policies.getMany(tx, ['pcf-usage', 'absent']);
      expect([...many.keys()]).toEqual(['pcf-usage']);
      const listed = await policies.list(tx, querySpec({ filterExpression: [{ operandLeft: 'id', operator: 'like', operandRight: 'pcf-%' }] }));
      expect(listed.ok && listed.value.map((p) => p.id)).toEqual(['pcf-usage']);
      expect(await policies.list(tx, querySpec({ filterExpression: [{ operandLeft: 'policy.foo', operator: '=', operandRight: 'x' }] }))).toMatchObject({ ok: false, reason: 'bad-request' });
    });
    expect(await db.withTenant('beta', (tx) => policies.get(tx, 'pcf-usage'))).toMatchObject({ ok: false, reason: 'not-found' });
  });

  it('stores contract definitions, finds them by referenced policy and queries selector fields', async () => {
    await db.withTenant('alpha', async (tx) => {
      const selector: Criterion[] = [{ operandLeft: EDC_ID, operator: 'in', operandRight: ['pcf-1.1', 'pcf-1.3'] }];
      expect((await definitions.create(tx, { id: 'cd-1', accessPolicyId: 'acc', contractPolicyId: 'use', assetsSelector: selector, privateProperties: {} })).ok).toBe(true);
      expect((await definitions.create(tx, { id: 'cd-2', accessPolicyId: 'acc2', contractPolicyId: 'acc', assetsSelector: [], privateProperties: {} })).ok).toBe(true);
      expect(await definitions.create(tx, { id: 'cd-1', accessPolicyId: 'a', contractPolicyId: 'b', assetsSelector: [], privateProperties: {} })).toMatchObject({ ok: false, reason: 'conflict' });
      expect((await definitions.referencing(tx, 'acc')).map((d) => d.id)).toEqual(['cd-1', 'cd-2']);
      expect(await definitions.referencing(tx, 'nope')).toEqual([]);
      const byRight = await definitions.list(tx, querySpec({ filterExpression: [{ operandLeft: 'assetsSelector.operandRight', operator: '=', operandRight: 'pcf-1.3' }] }));
      expect(byRight.ok && byRight.value.map((d) => d.id)).toEqual(['cd-1']);
      const byPolicy = await definitions.list(tx, querySpec({ filterExpression: [{ operandLeft: 'contractPolicyId', operator: '=', operandRight: 'acc' }] }));
      expect(byPolicy.ok && byPolicy.value.map((d) => d.id)).toEqual(['cd-2']);
      const got = await definitions.get(tx, 'cd-1');
      expect(got.ok && got.value.assetsSelector).toEqual(selector);
      const updated = await definitions.update(tx, { id: 'cd-1', accessPolicyId: 'x', contractPolicyId: 'y', assetsSelector: [], privateProperties: {} });
      expect(updated.ok && updated.value).toMatchObject({ accessPolicyId: 'x', assetsSelector: [] });
      expect((await definitions.delete(tx, 'cd-2')).ok).toBe(true);
    });
    expect(await db.withTenant('beta', (tx) => definitions.get(tx, 'cd-1'))).toMatchObject({ ok: false, reason: 'not-found' });
  });
});
