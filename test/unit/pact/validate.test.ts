// Unit: footprint validation — version detection, schema issues as JSON pointers, and each named PACT rule.
import { createFootprintValidator, pactVersionOf } from '../../../pcf-exchange-module/model/validate';
import { readSpecJson } from '../../conformance/pact/spec-examples';

const validator = createFootprintValidator();
const v2 = () => structuredClone((readSpecJson('pact', 'v2', 'examples', 'get-footprint-response.json') as { data: Record<string, any> }).data); // eslint-disable-line @typescript-eslint/no-explicit-any
const v3 = () => structuredClone(readSpecJson('pact', 'v3', 'examples', 'example-1.json') as Record<string, any>); // eslint-disable-line @typescript-eslint/no-explicit-any

function issues(doc: unknown): { pointer: string; rule: string; reason: string }[] {
  const r = validator.validateFootprint(doc);
  return r.ok ? [] : [...r.details];
}

describe('validateFootprint', () => {
  it('detects the generation from specVersion', () => {
    expect(pactVersionOf('2.3.0')).toBe('2');
    expect(pactVersionOf('2.0.0')).toBe('2');
    expect(pactVersionOf('3.0.0')).toBe('3');
    expect(pactVersionOf('3.0.1-20250101')).toBe('3');
    expect(pactVersionOf('4.0.0')).toBeUndefined();
    expect(pactVersionOf('3.0')).toBeUndefined();
    const r = validator.validateFootprint(v3());
    expect(r.ok && r.value.version).toBe('3');
  });

  it('refuses an unsupported or missing specVersion', () => {
    expect(issues({ ...v3(), specVersion: '1.0.0' })).toEqual([expect.objectContaining({ pointer: '/specVersion', rule: 'spec-version' })]);
    const d = v3();
    delete d.specVersion;
    expect(issues(d)[0].pointer).toBe('/specVersion');
    expect(issues(null)[0]).toEqual(expect.objectContaining({ pointer: '', rule: 'schema' }));
  });

  it('reports missing required fields and type errors with JSON pointers', () => {
    const d = v3();
    delete d.companyName;
    d.pcf.declaredUnitOfMeasurement = 'barrel';
    const found = issues(d);
    expect(found).toContainEqual(expect.objectContaining({ pointer: '/companyName', rule: 'schema' }));
    expect(found).toContainEqual(expect.objectContaining({ pointer: '/pcf/declaredUnitOfMeasurement', rule: 'schema' }));
  });

  it('validates a v3 document with v3 rules, not v2 ones (v2 fields are not required)', () => {
    const d = v3();
    expect(d.version).toBeUndefined();
    expect(issues(d)).toEqual([]);
    expect(issues({ ...d, specVersion: '2.3.0' }).map((i) => i.pointer)).toEqual(expect.arrayContaining(['/version', '/productCategoryCpc']));
  });

  it('id-uuid: refuses urn:uuid: prefixed and malformed ids', () => {
    expect(issues({ ...v3(), id: 'urn:uuid:12345678-9abc-def0-1234-567812345678' })).toEqual([expect.objectContaining({ pointer: '/id', rule: 'id-uuid' })]);
    expect(issues({ ...v2(), id: 'not-a-uuid' })).toEqual([expect.objectContaining({ pointer: '/id', rule: 'id-uuid' })]);
    expect(issues({ ...v3(), precedingPfIds: ['abc'] })).toEqual([expect.objectContaining({ pointer: '/precedingPfIds/0', rule: 'preceding-pf-id-uuid' })]);
  });

  it('decimal-string: v2 quantities and v3 decimals must be JSON strings', () => {
    const a = v2();
    a.pcf.pCfExcludingBiogenic = 1.63;
    expect(issues(a)).toEqual([expect.objectContaining({ pointer: '/pcf/pCfExcludingBiogenic', rule: 'decimal-string' })]);
    const b = v3();
    b.pcf.primaryDataShare = 12.9;
    b.pcf.dqi.temporalDQR = '2,4';
    expect(issues(b).map((i) => [i.pointer, i.rule])).toEqual(
      expect.arrayContaining([['/pcf/primaryDataShare', 'decimal-string'], ['/pcf/dqi/temporalDQR', 'decimal-string']]),
    );
  });

  it('decimal-sign and decimal-range: signs and bounds the schemas do not express', () => {
    const a = v2();
    a.pcf.fossilGhgEmissions = '-0.1';
    a.pcf.biogenicCarbonWithdrawal = '0.5';
    a.pcf.unitaryProductAmount = '0';
    expect(issues(a).map((i) => [i.pointer, i.rule])).toEqual([
      ['/pcf/unitaryProductAmount', 'decimal-sign'],
      ['/pcf/fossilGhgEmissions', 'decimal-sign'],
      ['/pcf/biogenicCarbonWithdrawal', 'decimal-sign'],
    ]);
    const b = v3();
    b.pcf.declaredUnitAmount = '-0.5';
    b.pcf.primaryDataShare = '100.5';
    b.pcf.dqi.technologicalDQR = '6';
    expect(issues(b).map((i) => [i.pointer, i.rule])).toEqual([
      ['/pcf/declaredUnitAmount', 'decimal-sign'],
      ['/pcf/primaryDataShare', 'decimal-range'],
      ['/pcf/dqi/technologicalDQR', 'decimal-range'],
    ]);
  });

  it('date ordering: reference period, validity period, updated after created', () => {
    const a = v3();
    a.pcf.referencePeriodEnd = a.pcf.referencePeriodStart;
    expect(issues(a)).toEqual([expect.objectContaining({ pointer: '/pcf/referencePeriodEnd', rule: 'reference-period-order' })]);
    const b = v3();
    b.validityPeriodEnd = '2024-01-01T00:00:00Z';
    expect(issues(b)).toEqual([expect.objectContaining({ pointer: '/validityPeriodEnd', rule: 'validity-period-order' })]);
    const c = v2();
    c.updated = '2020-01-01T00:00:00Z';
    expect(issues(c)).toEqual([expect.objectContaining({ pointer: '/updated', rule: 'updated-after-created' })]);
  });

  it('packaging-emissions-consistency: no packaging emissions when they are excluded', () => {
    const a = v2();
    a.pcf.packagingEmissionsIncluded = false;
    a.pcf.packagingGhgEmissions = '0.1';
    expect(issues(a)).toEqual([expect.objectContaining({ pointer: '/pcf/packagingGhgEmissions', rule: 'packaging-emissions-consistency' })]);
  });

  it('cross-version-field: a v3 document may carry v2 fields only with valid v2 values', () => {
    expect(issues({ ...v3(), updated: '2025-01-01T00:00:00Z', version: 2 })).toEqual([]);
    expect(issues({ ...v3(), version: -1 })).toEqual([expect.objectContaining({ pointer: '/version', rule: 'cross-version-field' })]);
  });

  it('geography: at most one of the three fields', () => {
    const a = v3();
    a.pcf.geographyCountry = 'US';
    expect(issues(a).length).toBeGreaterThan(0);
    expect(issues(a).every((i) => i.rule === 'schema')).toBe(true);
  });
});
