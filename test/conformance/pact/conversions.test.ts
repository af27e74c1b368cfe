// Conformance: every conversion of every spec example (v2↔v3, Catena-X → PACT) validates against the target schema.
import { catenaXToPact, catenaXAspectUrn } from '../../../pcf-exchange-module/model/catenax-to-pact';
import { toV2, toV3 } from '../../../pcf-exchange-module/model/convert-v2-v3';
import type { PactFootprint } from '../../../pcf-exchange-module/model/pact-types';
import { createFootprintValidator } from '../../../pcf-exchange-module/model/validate';
import { catenaXExamples, pactExampleFootprints } from './spec-examples';

const validator = createFootprintValidator();
const valid = pactExampleFootprints().filter((e) => e.meantValid);
/** v3 examples the v2 data model cannot express (unit `piece`; only `PEF` as standard while v2 requires the old enum). */
const NOT_V2_EXPRESSIBLE: Readonly<Record<string, RegExp>> = {
  'example-3.json': /declared unit "piece"/,
  'example-4.json': /cross-sectoral standards/,
};

function parsed(doc: unknown): PactFootprint {
  const r = validator.validateFootprint(doc);
  if (!r.ok) throw new Error(JSON.stringify(r.details));
  return r.value;
}

describe('v2 ↔ v3 conversion of the spec examples', () => {
  it.each(valid.map((e) => [`${e.version}/${e.file}#${e.index}`, e.file, e.doc] as const))('%s converts to a valid v3 and v2 document', (_n, file, doc) => {
    const fp = parsed(doc);
    const v3 = toV3(fp);
    if (!v3.ok) throw new Error(v3.message);
    const asV3 = validator.validateFootprintAs(v3.value, '3');
    if (!asV3.ok) throw new Error(JSON.stringify(asV3.details));
    expect(v3.value.specVersion).toMatch(/^3\./);

    const v2 = toV2(fp, { version: 4, updated: '2025-06-01T00:00:00Z' });
    const expectedLoss = NOT_V2_EXPRESSIBLE[file];
    if (expectedLoss !== undefined) {
      expect(v2).toEqual(expect.objectContaining({ ok: false, reason: 'conflict', message: expect.stringMatching(expectedLoss) }));
      return;
    }
    if (!v2.ok) throw new Error(v2.message);
    const asV2 = validator.validateFootprintAs(v2.value, '2');
    if (!asV2.ok) throw new Error(JSON.stringify(asV2.details));
    expect(v2.value.version).toBe(4);
    expect(v2.value.id).toBe(fp.doc.id);
    expect(v2.value.productIds).toEqual(fp.doc.productIds);
  });

  it('keeps the quantities and names across v2 → v3 → v2', () => {
    const v2doc = valid.find((e) => e.version === 'v2')?.doc;
    const fp = parsed(v2doc);
    const v3 = toV3(fp);
    if (!v3.ok) throw new Error(v3.message);
    expect(v3.value.pcf.pcfExcludingBiogenicUptake).toBe('1.63');
    expect(v3.value.pcf.declaredUnitOfMeasurement).toBe('liter');
    expect(v3.value.pcf.exemptedEmissionsPercent).toBe('0');
    expect(v3.value.productClassifications).toContain('urn:pact:productclassification:un-cpc:6398');
    expect(v3.value).not.toHaveProperty('version');
    const back = toV2(parsed(v3.value));
    if (!back.ok) throw new Error(back.message);
    expect(back.value.productCategoryCpc).toBe('6398');
    expect(back.value.pcf.pCfExcludingBiogenic).toBe('1.63');
    expect(back.value.pcf.biogenicCarbonWithdrawal).toBe((v2doc as { pcf: { biogenicCarbonWithdrawal: string } }).pcf.biogenicCarbonWithdrawal);
    expect(back.value.pcf.crossSectoralStandardsUsed).toEqual(expect.arrayContaining(['GHG Protocol Product standard', 'ISO Standard 14067']));
  });

  it('refuses to serve as v2 a v3 footprint whose declared unit v2 lacks', () => {
    const fp = parsed(valid.find((e) => e.file === 'example-1.json')?.doc);
    if (fp.version !== '3') throw new Error('expected v3');
    const piece: PactFootprint = { version: '3', doc: { ...fp.doc, pcf: { ...fp.doc.pcf, declaredUnitOfMeasurement: 'piece' } } };
    const r = toV2(piece);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toBe('conflict');
  });
});

describe('Catena-X PCF → PACT', () => {
  it.each(catenaXExamples().map((e) => [e.version, e.doc] as const))('%s example maps to a valid PACT v3 and v2 footprint', (version, doc) => {
    const r = catenaXToPact(doc, version);
    if (!r.ok) throw new Error(r.message);
    const v3 = validator.validateFootprintAs(r.value, '3');
    if (!v3.ok) throw new Error(JSON.stringify(v3.details));
    const v2 = toV2(v3.value);
    if (!v2.ok) throw new Error(v2.message);
    const asV2 = validator.validateFootprintAs(v2.value, '2');
    if (!asV2.ok) throw new Error(JSON.stringify(asV2.details));

    const ext = r.value.extensions?.[0];
    expect(ext?.dataSchema).toBe(catenaXAspectUrn(version));
    expect(ext?.data.partialFullPcf).toBe('Cradle-to-gate');
    expect(ext?.data.version).toBe(0);
    expect(r.value.id).toBe('3893bb5d-da16-4dc1-9185-11d97476c254');
    expect(r.value.pcf.geographyCountrySubdivision).toBe('US-NY');
    expect((ext?.data.pcf as Record<string, unknown>).geographyCountry).toBe('DE');
    expect((ext?.data.pcf as Record<string, unknown>).allocationWasteIncineration).toBe('cut-off');
  });

  it('keeps the 7.0.0 non-URN identifiers in the extension and wraps them as URNs', () => {
    const [seven] = catenaXExamples();
    const r = catenaXToPact(seven.doc, '7.0.0');
    if (!r.ok) throw new Error(r.message);
    expect(r.value.companyIds.every((c) => c.startsWith('urn:'))).toBe(true);
    expect(r.value.extensions?.[0].data.companyIds).toEqual(seven.doc.companyIds);
    expect(r.value.productClassifications).toContain('urn:pact:productclassification:un-cpc:011-99000');
    expect(r.value.pcf.crossSectoralStandards).toEqual(['ISO14067']);
    expect(r.value.pcf.secondaryEmissionFactorSources).toEqual([{ name: 'ecoinvent', version: '3.8' }]);
  });

  it('keeps the 9.0.0 grouped Catena-X-only leaves', () => {
    const nine = catenaXExamples()[2];
    const r = catenaXToPact(nine.doc, '9.0.0');
    if (!r.ok) throw new Error(r.message);
    const data = r.value.extensions?.[0].data as Record<string, Record<string, unknown>>;
    expect(data.pcf.massBalancingUsed).toBe(true);
    expect(data.pcf.distributionStageIncluded).toBe(false);
    expect(data.retroOrProspectivePcfType).toBe('Retrospective PCF');
    expect(r.value.pcf.dqi).toEqual({ technologicalDQR: '2', geographicalDQR: '2', temporalDQR: '2' });
  });

  it('refuses an invalid Catena-X document and a unit PACT lacks', () => {
    expect(catenaXToPact({}, '8.0.0').ok).toBe(false);
    const eight = structuredClone(catenaXExamples()[1].doc) as { pcf: Record<string, unknown> };
    eight.pcf.declaredUnitOfMeasurement = 'megabit';
    const r = catenaXToPact(eight, '8.0.0');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toBe('conflict');
  });
});
