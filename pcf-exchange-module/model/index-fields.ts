// The values footprint queries filter and page on, extracted once per stored footprint (columns of the footprints table).
import { cpcFromClassifications, v2Classifications } from './convert-v2-v3';
import { addYears, toIsoInstant } from './decimal';
import type { PactFootprint, PfStatus } from './pact-types';

/**
 * Query-relevant projection of a footprint. Identifier lists and geographies are lower-cased (PACT v3 matching is
 * case-insensitive); instants are normalised UTC ISO strings. Derived from the v2 `$filter` properties
 * (created, updated, productCategoryCpc, pcf/geographyCountry, pcf/referencePeriodStart/End, productIds, companyIds)
 * and the v3 parameters (productId, companyId, geography, classification, validOn/After/Before, status).
 */
export interface FootprintIndexFields {
  /** Lower-case UUID. */
  readonly id: string;
  readonly specVersion: string;
  /** Data-model generation of the stored document. */
  readonly pactVersion: '2' | '3';
  readonly status: PfStatus;
  readonly created: string;
  /** v2 `updated` of the stored document (null for v3 documents). */
  readonly updated: string | null;
  readonly productIds: readonly string[];
  readonly companyIds: readonly string[];
  /** `productClassifications` plus, for v2 documents, the CPC code as a UN CPC classification URN. */
  readonly classifications: readonly string[];
  /** v2 `productCategoryCpc`, or the code of a v3 UN CPC classification. */
  readonly productCategoryCpc: string | null;
  readonly geographyRegionOrSubregion: string | null;
  readonly geographyCountry: string | null;
  readonly geographyCountrySubdivision: string | null;
  /** The non-null geography values, lower-cased (what v3 `geography` matches). */
  readonly geographies: readonly string[];
  readonly referencePeriodStart: string;
  readonly referencePeriodEnd: string;
  /** `validityPeriodStart`, else `referencePeriodEnd` (V3 "Validity Period"). */
  readonly validityStart: string;
  /** `validityPeriodEnd`, else `referencePeriodEnd` + 3 years. */
  readonly validityEnd: string;
}

function lower(values: readonly string[] | undefined): string[] {
  return [...new Set((values ?? []).map((v) => v.toLowerCase()))];
}

/** Extracts the index fields of a validated footprint. */
export function indexFields(fp: PactFootprint): FootprintIndexFields {
  const doc = fp.doc;
  const pcf = doc.pcf;
  const referencePeriodEnd = toIsoInstant(pcf.referencePeriodEnd);
  const geo = {
    geographyRegionOrSubregion: pcf.geographyRegionOrSubregion ?? null,
    geographyCountry: pcf.geographyCountry ?? null,
    geographyCountrySubdivision: pcf.geographyCountrySubdivision ?? null,
  };
  const classifications = fp.version === '2' ? v2Classifications(fp.doc) : (fp.doc.productClassifications ?? []);
  return {
    id: doc.id.toLowerCase(),
    specVersion: doc.specVersion,
    pactVersion: fp.version,
    status: doc.status,
    created: toIsoInstant(doc.created),
    updated: fp.version === '2' && fp.doc.updated !== undefined ? toIsoInstant(fp.doc.updated) : null,
    productIds: lower(doc.productIds),
    companyIds: lower(doc.companyIds),
    classifications: lower(classifications),
    productCategoryCpc: fp.version === '2' ? fp.doc.productCategoryCpc : (cpcFromClassifications(classifications) ?? null),
    ...geo,
    geographies: lower(Object.values(geo).filter((g): g is string => g !== null)),
    referencePeriodStart: toIsoInstant(pcf.referencePeriodStart),
    referencePeriodEnd,
    validityStart: doc.validityPeriodStart !== undefined ? toIsoInstant(doc.validityPeriodStart) : referencePeriodEnd,
    validityEnd: doc.validityPeriodEnd !== undefined ? toIsoInstant(doc.validityPeriodEnd) : addYears(referencePeriodEnd, 3),
  };
}
