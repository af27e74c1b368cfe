// Brings Catena-X PCF 7.0.0 (flat, PACT-v2 names) and 9.0.0 (grouped) into the flat 8.0.0 naming the mapping consumes.
import type { CatenaXVersion } from './schema-registry';

/** A Catena-X PCF in flat 8.0.0 naming: product-level fields in `top`, carbon-footprint fields in `pcf`. */
export interface FlatCatenaXPcf {
  readonly top: Record<string, unknown>;
  readonly pcf: Record<string, unknown>;
}

/** 8.0.0 top-level property names (everything else of a 9.0.0 document belongs to `pcf`). */
const TOP_LEVEL_8 = new Set([
  'id', 'specVersion', 'partialFullPcf', 'version', 'created', 'status', 'validityPeriodStart', 'validityPeriodEnd',
  'companyName', 'companyIds', 'productIds', 'productNameCompany', 'productDescription', 'productClassifications',
  'comment', 'pcfLegalStatement', 'precedingPfIds', 'retroOrProspectivePcfType', 'ccsTechnologicalCO2CaptureIncluded',
  'attestationOfConformance',
]);

/** 9.0.0 leaves that are arrays of objects but values, not groups. */
const LEAF_ARRAYS_9 = new Set(['precedingPfIds', 'attestationOfConformance']);

const RENAMES_7_TOP: Readonly<Record<string, string>> = {
  extWBCSD_pfStatus: 'status',
  productName: 'productNameCompany',
};

const RENAMES_7_PCF: Readonly<Record<string, string>> = {
  declaredUnit: 'declaredUnitOfMeasurement',
  unitaryProductAmount: 'declaredUnitAmount',
  pcfExcludingBiogenic: 'pcfExcludingBiogenicUptake',
  pcfIncludingBiogenic: 'pcfIncludingBiogenicUptake',
  biogenicCarbonEmissionsOtherThanCO2: 'biogenicNonCO2Emissions',
  biogenicCarbonWithdrawal: 'biogenicCO2Uptake',
  dlucGhgEmissions: 'landUseChangeGhgEmissions',
  extWBCSD_packagingEmissionsIncluded: 'packagingEmissionsIncluded',
  extWBCSD_packagingGhgEmissions: 'packagingGhgEmissions',
  extWBCSD_fossilCarbonContent: 'fossilCarbonContent',
  carbonContentBiogenic: 'biogenicCarbonContent',
  extWBCSD_characterizationFactors: 'ipccCharacterizationFactors',
  extWBCSD_allocationRulesDescription: 'allocationRulesDescription',
  extTFS_allocationWasteIncineration: 'allocationWasteIncineration',
};

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function rename(src: Record<string, unknown>, table: Readonly<Record<string, string>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(src)) out[table[k] ?? k] = v;
  return out;
}

function normalize7(doc: Record<string, unknown>): FlatCatenaXPcf {
  const { pcf, ...rest } = doc;
  const top = rename(rest, RENAMES_7_TOP);
  const flatPcf = rename(isRecord(pcf) ? pcf : {}, RENAMES_7_PCF);
  if (Array.isArray(flatPcf.crossSectoralStandardsUsed)) {
    flatPcf.crossSectoralStandards = flatPcf.crossSectoralStandardsUsed
      .map((s) => (isRecord(s) ? s.crossSectoralStandard : s))
      .filter((s): s is string => typeof s === 'string');
    delete flatPcf.crossSectoralStandardsUsed;
  }
  if (Array.isArray(flatPcf.secondaryEmissionFactorSources)) {
    flatPcf.secondaryEmissionFactorSources = flatPcf.secondaryEmissionFactorSources
      .map((s) => (isRecord(s) ? s.secondaryEmissionFactorSource : s))
      .filter((s): s is string => typeof s === 'string');
  }
  return { top, pcf: flatPcf };
}

/** Collects the leaves of a 9.0.0 group tree (first element of each group array; further elements kept whole). */
function collectLeaves(group: Record<string, unknown>, into: Record<string, unknown>, extraGroups: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(group)) {
    if (Array.isArray(v) && v.length > 0 && v.every(isRecord) && !LEAF_ARRAYS_9.has(k)) {
      if (v.length > 1) extraGroups[k] = v.slice(1);
      collectLeaves(v[0] as Record<string, unknown>, into, extraGroups);
    } else {
      into[k] = v;
    }
  }
}

function normalize9(doc: Record<string, unknown>): FlatCatenaXPcf {
  const leaves: Record<string, unknown> = {};
  const extraGroups: Record<string, unknown> = {};
  collectLeaves(doc, leaves, extraGroups);
  const top: Record<string, unknown> = {};
  const pcf: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(leaves)) (TOP_LEVEL_8.has(k) ? top : pcf)[k] = v;
  const dqr: Record<string, unknown> = {};
  for (const k of ['technologicalDQR', 'temporalDQR', 'geographicalDQR']) {
    if (k in pcf) {
      dqr[k] = pcf[k];
      delete pcf[k];
    }
  }
  if (Object.keys(dqr).length > 0) pcf.dataQualityRating = dqr;
  if (Object.keys(extraGroups).length > 0) top.additionalGroupElements = extraGroups;
  return { top, pcf };
}

/** The document in flat 8.0.0 naming (7.0.0 renamed, 9.0.0 flattened, 8.0.0 split into top and pcf). */
export function normalizeCatenaXPcf(doc: Record<string, unknown>, version: CatenaXVersion): FlatCatenaXPcf {
  if (version === '7.0.0') return normalize7(doc);
  if (version === '9.0.0') return normalize9(doc);
  const { pcf, ...top } = doc;
  return { top: { ...top }, pcf: isRecord(pcf) ? { ...pcf } : {} };
}
