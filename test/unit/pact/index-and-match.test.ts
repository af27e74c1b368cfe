// Unit: index-field extraction (validity fallback, case folding, CPC ↔ classification) and the in-memory matcher.
import { indexFields } from '../../../pcf-exchange-module/model/index-fields';
import type { PactFootprint } from '../../../pcf-exchange-module/model/pact-types';
import { createFootprintValidator } from '../../../pcf-exchange-module/model/validate';
import { matchesFilter } from '../../../pcf-exchange-module/query/match';
import { readSpecJson } from '../../conformance/pact/spec-examples';

const validator = createFootprintValidator();
function fp(doc: unknown): PactFootprint {
  const r = validator.validateFootprint(doc);
  if (!r.ok) throw new Error(JSON.stringify(r.details));
  return r.value;
}
const v2doc = (readSpecJson('pact', 'v2', 'examples', 'get-footprint-response.json') as { data: Record<string, unknown> }).data;
const v3doc = readSpecJson('pact', 'v3', 'examples', 'example-2.json') as Record<string, unknown>;

describe('indexFields', () => {
  it('extracts a v2 footprint, deriving the UN CPC classification', () => {
    const f = indexFields(fp(v2doc));
    expect(f).toEqual(expect.objectContaining({
      id: '91715e5e-fd0b-4d1c-8fab-76290c46e6ed',
      pactVersion: '2',
      status: 'Active',
      created: '2022-03-01T09:32:20.000Z',
      updated: null,
      productCategoryCpc: '6398',
      classifications: ['urn:pact:productclassification:un-cpc:6398'],
      geographyRegionOrSubregion: 'Western Europe',
      geographies: ['western europe'],
      validityStart: '2022-03-01T09:32:20.000Z',
      validityEnd: '2024-12-31T00:00:00.000Z',
    }));
    expect(f.companyIds).toContain('urn:uuid:69585gb6-56t9-6958-e526-6fdgzjhu1326');
  });

  it('extracts a v3 footprint, deriving CPC from a UN CPC classification', () => {
    const f = indexFields(fp(v3doc));
    expect(f.productCategoryCpc).toBe('1234');
    expect(f.geographyCountry).toBe('US');
    expect(f.created).toBe('2025-04-30T00:00:00.000Z');
  });

  it('falls back to referencePeriodEnd .. +3 years when no validity period is given', () => {
    const doc = { ...v3doc };
    delete doc.validityPeriodStart;
    delete doc.validityPeriodEnd;
    const f = indexFields(fp(doc));
    expect(f.validityStart).toBe('2024-12-31T00:00:00.000Z');
    expect(f.validityEnd).toBe('2027-12-31T00:00:00.000Z');
  });
});

describe('matchesFilter', () => {
  const f = indexFields(fp(v3doc));
  it('evaluates each node kind', () => {
    expect(matchesFilter({ kind: 'true' }, f)).toBe(true);
    expect(matchesFilter({ kind: 'false' }, f)).toBe(false);
    expect(matchesFilter({ kind: 'has', field: 'geographies', value: 'us' }, f)).toBe(true);
    expect(matchesFilter({ kind: 'has', field: 'productIds', value: 'urn:gtin:nope' }, f)).toBe(false);
    expect(matchesFilter({ kind: 'time', field: 'created', op: 'ge', value: '2025-04-30T00:00:00.000Z' }, f)).toBe(true);
    expect(matchesFilter({ kind: 'time', field: 'created', op: 'gt', value: '2025-04-30T00:00:00.000Z' }, f)).toBe(false);
    expect(matchesFilter({ kind: 'time', field: 'updated', op: 'lt', value: '2100-01-01T00:00:00.000Z' }, f)).toBe(false);
    expect(matchesFilter({ kind: 'text', field: 'geographyCountry', op: 'lt', value: 'UT' }, f)).toBe(true);
    expect(matchesFilter({ kind: 'text', field: 'geographyCountry', op: 'le', value: 'UR' }, f)).toBe(false);
    expect(matchesFilter({ kind: 'and', all: [{ kind: 'true' }, { kind: 'false' }] }, f)).toBe(false);
    expect(matchesFilter({ kind: 'or', any: [{ kind: 'false' }, { kind: 'true' }] }, f)).toBe(true);
  });

  it('applies the v3 validity semantics (inclusive on, strict after/before)', () => {
    expect(matchesFilter({ kind: 'validity', op: 'on', at: '2024-12-31T00:00:00.000Z' }, f)).toBe(true);
    expect(matchesFilter({ kind: 'validity', op: 'on', at: '2027-12-31T00:00:00.000Z' }, f)).toBe(true);
    expect(matchesFilter({ kind: 'validity', op: 'on', at: '2028-01-01T00:00:00.000Z' }, f)).toBe(false);
    expect(matchesFilter({ kind: 'validity', op: 'after', at: '2024-12-31T00:00:00.000Z' }, f)).toBe(false);
    expect(matchesFilter({ kind: 'validity', op: 'after', at: '2024-12-30T00:00:00.000Z' }, f)).toBe(true);
    expect(matchesFilter({ kind: 'validity', op: 'before', at: '2027-12-31T00:00:00.000Z' }, f)).toBe(false);
    expect(matchesFilter({ kind: 'validity', op: 'before', at: '2028-01-01T00:00:00.000Z' }, f)).toBe(true);
  });
});
