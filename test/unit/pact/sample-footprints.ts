// Test fixture: a deterministic set of varied, valid footprints (v2 and v3) derived from the spec examples.
import type { PactFootprint, ProductFootprintV2, ProductFootprintV3 } from '../../../pcf-exchange-module/model/pact-types';
import { createFootprintValidator } from '../../../pcf-exchange-module/model/validate';
import { readSpecJson } from '../../conformance/pact/spec-examples';

const validator = createFootprintValidator();

function uuid(n: number): string {
  const hex = n.toString(16).padStart(12, '0');
  return `${(n * 2654435761 % 4294967296).toString(16).padStart(8, '0')}-0000-4000-8000-${hex}`;
}

const GEOS: readonly Record<string, string>[] = [
  { geographyCountry: 'DE' },
  { geographyCountry: 'FR' },
  { geographyRegionOrSubregion: 'Western Europe' },
  { geographyCountrySubdivision: 'US-NY' },
  {},
];

/** `count` footprints alternating v2/v3 with varied ids, dates, geographies, products, companies and status. */
export function sampleFootprints(count = 40): PactFootprint[] {
  const v3base = readSpecJson('pact', 'v3', 'examples', 'example-2.json') as ProductFootprintV3;
  const v2base = (readSpecJson('pact', 'v2', 'examples', 'get-footprint-response.json') as { data: ProductFootprintV2 }).data;
  const out: PactFootprint[] = [];
  for (let i = 0; i < count; i++) {
    const year = 2020 + (i % 5);
    const month = String((i % 12) + 1).padStart(2, '0');
    // every 7th footprint shares its created instant with the previous one (ties are ordered by id)
    const created = `2024-${String((Math.floor(i / 7) % 12) + 1).padStart(2, '0')}-0${(i % 7) + 1}T10:00:00Z`;
    const geo = GEOS[i % GEOS.length];
    const common = {
      id: uuid(i + 1),
      created: i % 7 === 6 ? out[i - 1].doc.created : created,
      status: i % 4 === 3 ? ('Deprecated' as const) : ('Active' as const),
      companyIds: [`urn:company:example:c${i % 3}`, ...(i % 5 === 0 ? ['urn:BPNL00000000000' + i] : [])],
      productIds: [`urn:gtin:${1000 + (i % 6)}`, `urn:Product:Mixed:${i}`],
    };
    const refStart = `${year}-${month}-01T00:00:00Z`;
    const refEnd = `${year + 1}-${month}-01T00:00:00Z`;
    const validity = i % 3 === 0 ? {} : { validityPeriodStart: refEnd, validityPeriodEnd: `${year + 2 + (i % 2)}-${month}-01T00:00:00Z` };
    let doc: unknown;
    if (i % 2 === 0) {
      const pcf: Record<string, unknown> = { ...v3base.pcf, referencePeriodStart: refStart, referencePeriodEnd: refEnd };
      delete pcf.geographyCountry;
      Object.assign(pcf, geo);
      const d: Record<string, unknown> = { ...v3base, ...common, ...validity, pcf, productClassifications: [`urn:pact:productclassification:un-cpc:${100 + (i % 4)}`] };
      delete d.precedingPfIds;
      if (i % 3 === 0) { delete d.validityPeriodStart; delete d.validityPeriodEnd; }
      doc = d;
    } else {
      const pcf: Record<string, unknown> = { ...v2base.pcf, referencePeriodStart: refStart, referencePeriodEnd: refEnd };
      delete pcf.geographyRegionOrSubregion;
      Object.assign(pcf, geo);
      const d: Record<string, unknown> = { ...v2base, ...common, ...validity, pcf, version: i, productCategoryCpc: String(100 + (i % 4)) };
      if (i % 3 === 0) { delete d.validityPeriodStart; delete d.validityPeriodEnd; }
      if (i % 4 === 1) d.updated = `2025-0${(i % 9) + 1}-15T12:00:00Z`;
      doc = d;
    }
    const r = validator.validateFootprint(doc);
    if (!r.ok) throw new Error(`sample ${i} invalid: ${JSON.stringify(r.details)}`);
    out.push(r.value);
  }
  return out;
}
