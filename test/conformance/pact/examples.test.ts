// Conformance: every PACT and Catena-X PCF spec example meant to be valid is accepted, the invalid ones refused.
import { createFootprintValidator } from '../../../pcf-exchange-module/model/validate';
import { createSchemaRegistry } from '../../../pcf-exchange-module/model/schema-registry';
import { catenaXExamples, pactExampleFootprints, readSpecJson } from './spec-examples';

const validator = createFootprintValidator();
const examples = pactExampleFootprints();

describe('PACT spec examples', () => {
  it('finds the examples of both versions', () => {
    expect(examples.filter((e) => e.version === 'v2').length).toBeGreaterThanOrEqual(4);
    expect(examples.filter((e) => e.version === 'v3').length).toBeGreaterThanOrEqual(8);
  });

  it.each(examples.filter((e) => e.meantValid).map((e) => [`${e.version}/${e.file}#${e.index}`, e] as const))(
    'accepts %s',
    (_name, example) => {
      const result = validator.validateFootprint(example.doc);
      if (!result.ok) throw new Error(JSON.stringify(result.details));
      expect(result.value.version).toBe(example.version === 'v2' ? '2' : '3');
    },
  );

  it('refuses the v2 invalid example with the schema error at /updated', () => {
    const bad = examples.find((e) => e.version === 'v2' && !e.meantValid);
    const result = validator.validateFootprint(bad?.doc);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.details).toContainEqual(expect.objectContaining({ pointer: '/updated', rule: 'schema' }));
  });

  it('refuses the v3 invalid example (schema-valid, but its v2 field updated is no date-time)', () => {
    const bad = examples.find((e) => e.version === 'v3' && !e.meantValid);
    const registry = createSchemaRegistry();
    expect(registry.pact('3', 'ProductFootprint')(bad?.doc)).toBe(true);
    const result = validator.validateFootprint(bad?.doc);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.details).toEqual([expect.objectContaining({ pointer: '/updated', rule: 'cross-version-field' })]);
  });
});

describe('committed schemas still match the spec content', () => {
  const registry = createSchemaRegistry();

  it.each([
    ['v2', '2'],
    ['v3', '3'],
  ] as const)('%s RequestFulfilled event example validates against the committed event schema', (dir, version) => {
    const event = readSpecJson('pact', dir, 'examples', 'pf-response-event.json');
    const validate = registry.pact(version, 'RequestFulfilledEvent');
    expect(validate(event)).toBe(true);
    expect(validate({ ...(event as object), data: { requestEventId: 'x', pfs: [{}] } })).toBe(false);
  });

  it.each(['v2', 'v3'])('%s error example validates against the Error schema', (dir) => {
    const version = dir === 'v2' ? '2' : '3';
    expect(registry.pact(version, 'Error')(readSpecJson('pact', dir, 'examples', 'error-response-access-denied.json'))).toBe(true);
  });

  it.each(catenaXExamples().map((e) => [e.version, e.doc] as const))('Catena-X %s example validates', (version, doc) => {
    const result = validator.validateCatenaXPcf(doc, version);
    if (!result.ok) throw new Error(JSON.stringify(result.details));
    expect(result.ok).toBe(true);
  });

  it('draft-04 exclusiveMinimum was converted, not dropped (a strictly positive amount refuses 0)', () => {
    const doc = structuredClone(catenaXExamples()[1].doc) as { pcf: Record<string, unknown> };
    doc.pcf.declaredUnitAmount = 0;
    const result = validator.validateCatenaXPcf(doc, '8.0.0');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.details.map((d) => d.pointer)).toContain('/pcf/declaredUnitAmount');
  });

  it('rejects a Catena-X 7.0.0 PCF missing a mandatory field', () => {
    const doc = { ...catenaXExamples()[0].doc };
    delete doc.partialFullPcf;
    const result = validator.validateCatenaXPcf(doc, '7.0.0');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.details.map((d) => d.pointer)).toContain('/partialFullPcf');
  });
});
