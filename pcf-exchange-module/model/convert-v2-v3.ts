// Serves one stored footprint in both PACT shapes: v2.3 → v3.0 and v3.0 → v2.3 (losses/defaults in docs/pact-versions.md).
import { fail, ok, type Result } from '../../connector/common/result';
import { numberToDecimal } from './decimal';
import type {
  AssuranceV2,
  CarbonFootprintV2,
  CarbonFootprintV3,
  PactFootprint,
  ProductFootprintV2,
  ProductFootprintV3,
  VerificationV3,
} from './pact-types';

export const V2_SPEC_VERSION = '2.3.0';
export const V3_SPEC_VERSION = '3.0.0';

/** Classification URN prefix PACT v3 examples use for UN CPC codes (v2 `productCategoryCpc`). */
export const UN_CPC_PREFIX = 'urn:pact:productclassification:un-cpc:';

const V2_UNITS = new Set(['liter', 'kilogram', 'cubic meter', 'kilowatt hour', 'megajoule', 'ton kilometer', 'square meter']);

/** v2 `crossSectoralStandardsUsed` (deprecated enum) ↔ v2.3/v3 `crossSectoralStandards` codes. */
const STANDARD_USED_TO_CODE: Readonly<Record<string, string>> = {
  'GHG Protocol Product standard': 'GHGP-Product',
  'ISO Standard 14067': 'ISO14067',
  'ISO Standard 14044': 'ISO14040-44',
};
const CODE_TO_STANDARD_USED: Readonly<Record<string, string>> = {
  'GHGP-Product': 'GHG Protocol Product standard',
  ISO14067: 'ISO Standard 14067',
  'ISO14040-44': 'ISO Standard 14044',
  ISO14044: 'ISO Standard 14044',
};
const V2_STANDARD_CODES = new Set(['ISO14067', 'ISO14083', 'ISO14040-44', 'GHGP-Product', 'PEF', 'PACT-1.0', 'PACT-2.0', 'PACT-3.0']);

/** v2 → v3 renames of optional CarbonFootprint decimals (same value, new name). */
const V2_TO_V3_RENAMES: readonly (readonly [keyof CarbonFootprintV2, keyof CarbonFootprintV3])[] = [
  ['dLucGhgEmissions', 'landUseChangeGhgEmissions'],
  ['otherBiogenicGhgEmissions', 'biogenicNonCO2Emissions'],
  ['biogenicCarbonWithdrawal', 'biogenicCO2Uptake'],
  ['aircraftGhgEmissions', 'aircraftGhgEmissions'],
  ['packagingGhgEmissions', 'packagingGhgEmissions'],
  ['allocationRulesDescription', 'allocationRulesDescription'],
  ['exemptedEmissionsDescription', 'exemptedEmissionsDescription'],
  ['boundaryProcessesDescription', 'boundaryProcessesDescription'],
  ['geographyRegionOrSubregion', 'geographyRegionOrSubregion'],
  ['geographyCountry', 'geographyCountry'],
  ['geographyCountrySubdivision', 'geographyCountrySubdivision'],
];

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

function copyDefined<T extends object>(target: T, key: keyof T, value: unknown): void {
  if (value !== undefined && value !== null) (target as Record<PropertyKey, unknown>)[key] = value;
}

/** Top-level fields both generations share, copied without change. */
function commonTop(src: ProductFootprintV2 | ProductFootprintV3): Partial<ProductFootprintV3> {
  const out: Partial<ProductFootprintV3> = {
    id: src.id,
    created: src.created,
    status: src.status,
    companyName: src.companyName,
    companyIds: [...src.companyIds],
    productDescription: src.productDescription,
    productIds: [...src.productIds],
    productNameCompany: src.productNameCompany,
  };
  copyDefined(out, 'precedingPfIds', src.precedingPfIds);
  copyDefined(out, 'validityPeriodStart', src.validityPeriodStart);
  copyDefined(out, 'validityPeriodEnd', src.validityPeriodEnd);
  copyDefined(out, 'extensions', src.extensions);
  return out;
}

function v2PcfToV3(p: CarbonFootprintV2): CarbonFootprintV3 {
  const crossSectoralStandards = p.crossSectoralStandards?.length
    ? [...p.crossSectoralStandards]
    : unique((p.crossSectoralStandardsUsed ?? []).map((s) => STANDARD_USED_TO_CODE[s] ?? s));
  const ipcc = p.ipccCharacterizationFactorsSources?.length
    ? [...p.ipccCharacterizationFactorsSources]
    : p.characterizationFactors !== undefined ? [p.characterizationFactors] : [];
  const out: CarbonFootprintV3 = {
    declaredUnitOfMeasurement: p.declaredUnit,
    declaredUnitAmount: p.unitaryProductAmount,
    productMassPerDeclaredUnit: p.productMassPerDeclaredUnit ?? (p.declaredUnit === 'kilogram' ? '1' : '0'),
    referencePeriodStart: p.referencePeriodStart,
    referencePeriodEnd: p.referencePeriodEnd,
    pcfExcludingBiogenicUptake: p.pCfExcludingBiogenic,
    pcfIncludingBiogenicUptake: p.pCfIncludingBiogenic ?? p.pCfExcludingBiogenic,
    fossilGhgEmissions: p.fossilGhgEmissions,
    fossilCarbonContent: p.fossilCarbonContent,
    biogenicCarbonContent: p.biogenicCarbonContent,
    ipccCharacterizationFactors: ipcc,
    crossSectoralStandards,
    exemptedEmissionsPercent: numberToDecimal(p.exemptedEmissionsPercent),
    packagingEmissionsIncluded: p.packagingEmissionsIncluded,
  };
  for (const [from, to] of V2_TO_V3_RENAMES) copyDefined(out, to, p[from]);
  if (p.productOrSectorSpecificRules?.length) out.productOrSectorSpecificRules = structuredClone(p.productOrSectorSpecificRules);
  if (p.secondaryEmissionFactorSources?.length) out.secondaryEmissionFactorSources = structuredClone(p.secondaryEmissionFactorSources);
  if (typeof p.primaryDataShare === 'number') out.primaryDataShare = numberToDecimal(p.primaryDataShare);
  if (p.dqi !== undefined) {
    out.dqi = {
      technologicalDQR: numberToDecimal(p.dqi.technologicalDQR),
      geographicalDQR: numberToDecimal(p.dqi.geographicalDQR),
      temporalDQR: numberToDecimal(p.dqi.temporalDQR),
    };
  }
  if (p.assurance?.assurance === true) {
    const v: VerificationV3 = {};
    if (p.assurance.coverage === 'product level') v.coverage = 'product level';
    copyDefined(v, 'providerName', p.assurance.providerName);
    copyDefined(v, 'completedAt', p.assurance.completedAt);
    copyDefined(v, 'standardName', p.assurance.standardName);
    copyDefined(v, 'comments', p.assurance.comments);
    out.verification = v;
  }
  return out;
}

/** The v3 classifications of a v2 footprint: its `productClassifications` plus its CPC code as a UN CPC URN. */
export function v2Classifications(fp: ProductFootprintV2): string[] {
  return unique([...(fp.productClassifications ?? []), `${UN_CPC_PREFIX}${fp.productCategoryCpc}`]);
}

/** The footprint in the PACT v3.0 shape (a v3 document is returned as stored). */
export function toV3(fp: PactFootprint): Result<ProductFootprintV3> {
  if (fp.version === '3') return ok(fp.doc);
  const src = fp.doc;
  const out = { ...commonTop(src), specVersion: V3_SPEC_VERSION } as ProductFootprintV3;
  out.productClassifications = v2Classifications(src);
  out.comment = src.comment;
  out.pcf = v2PcfToV3(src.pcf);
  if (out.pcf.ipccCharacterizationFactors.length === 0) return fail('conflict', 'footprint has no IPCC characterization factors');
  if (out.pcf.crossSectoralStandards.length === 0) return fail('conflict', 'footprint has no cross-sectoral standard');
  return ok(reorder(out));
}

/** Row-level metadata the store keeps for v3 documents served as v2 (v3 has no `version`/`updated`). */
export interface V2Meta {
  readonly version?: number;
  readonly updated?: string | null;
}

function earliestV2Factor(factors: readonly string[]): 'AR5' | 'AR6' | undefined {
  if (factors.includes('AR5')) return 'AR5';
  if (factors.includes('AR6')) return 'AR6';
  return undefined;
}

function v3PcfToV2(p: CarbonFootprintV3): Result<CarbonFootprintV2> {
  if (!V2_UNITS.has(p.declaredUnitOfMeasurement)) {
    return fail('conflict', `declared unit "${p.declaredUnitOfMeasurement}" has no PACT v2 equivalent`);
  }
  const characterizationFactors = earliestV2Factor(p.ipccCharacterizationFactors);
  if (characterizationFactors === undefined) return fail('conflict', 'PACT v2 needs AR5 or AR6 among the characterization factors');
  const standardsUsed = unique(p.crossSectoralStandards.map((s) => CODE_TO_STANDARD_USED[s]).filter((s): s is string => s !== undefined));
  if (standardsUsed.length === 0) return fail('conflict', 'PACT v2 needs GHGP-Product, ISO14067 or ISO14040-44 among the cross-sectoral standards');
  const exempted = Number(p.exemptedEmissionsPercent);
  if (exempted > 100) return fail('conflict', 'exemptedEmissionsPercent above 100 cannot be expressed in PACT v2');
  const out: CarbonFootprintV2 = {
    declaredUnit: p.declaredUnitOfMeasurement,
    unitaryProductAmount: p.declaredUnitAmount,
    productMassPerDeclaredUnit: p.productMassPerDeclaredUnit,
    pCfExcludingBiogenic: p.pcfExcludingBiogenicUptake,
    pCfIncludingBiogenic: p.pcfIncludingBiogenicUptake,
    fossilGhgEmissions: p.fossilGhgEmissions,
    fossilCarbonContent: p.fossilCarbonContent,
    biogenicCarbonContent: p.biogenicCarbonContent ?? '0',
    characterizationFactors,
    ipccCharacterizationFactorsSources: [...p.ipccCharacterizationFactors],
    crossSectoralStandardsUsed: standardsUsed,
    boundaryProcessesDescription: p.boundaryProcessesDescription ?? '',
    referencePeriodStart: p.referencePeriodStart,
    referencePeriodEnd: p.referencePeriodEnd,
    exemptedEmissionsPercent: exempted,
    exemptedEmissionsDescription: p.exemptedEmissionsDescription ?? '',
    packagingEmissionsIncluded: p.packagingEmissionsIncluded ?? p.packagingGhgEmissions !== undefined,
  };
  const codes = p.crossSectoralStandards.filter((s) => V2_STANDARD_CODES.has(s));
  if (codes.length > 0) out.crossSectoralStandards = codes;
  for (const [v2, v3] of V2_TO_V3_RENAMES) copyDefined(out, v2, p[v3]);
  if (out.packagingEmissionsIncluded === false) delete out.packagingGhgEmissions;
  if (p.productOrSectorSpecificRules?.length) out.productOrSectorSpecificRules = structuredClone(p.productOrSectorSpecificRules);
  if (p.secondaryEmissionFactorSources?.length) out.secondaryEmissionFactorSources = structuredClone(p.secondaryEmissionFactorSources);
  if (p.primaryDataShare !== undefined) out.primaryDataShare = Number(p.primaryDataShare);
  if (p.verification !== undefined) {
    const a: AssuranceV2 = { assurance: true, providerName: p.verification.providerName ?? '' };
    if (p.verification.coverage === 'product level') a.coverage = 'product level';
    copyDefined(a, 'completedAt', p.verification.completedAt);
    copyDefined(a, 'standardName', p.verification.standardName);
    copyDefined(a, 'comments', p.verification.comments);
    out.assurance = a;
  }
  return ok(out);
}

/** The CPC code of the first UN CPC classification URN, if any. */
export function cpcFromClassifications(classifications: readonly string[] | undefined): string | undefined {
  const hit = (classifications ?? []).find((c) => c.toLowerCase().startsWith(UN_CPC_PREFIX) && c.length > UN_CPC_PREFIX.length);
  return hit?.slice(UN_CPC_PREFIX.length);
}

/** The footprint in the PACT v2.3 shape (a v2 document is returned as stored, with `meta` applied if given). */
export function toV2(fp: PactFootprint, meta: V2Meta = {}): Result<ProductFootprintV2> {
  if (fp.version === '2') {
    if (meta.version === undefined && meta.updated === undefined) return ok(fp.doc);
    const doc = { ...fp.doc };
    if (meta.version !== undefined) doc.version = meta.version;
    if (meta.updated) doc.updated = meta.updated;
    return ok(doc);
  }
  const src = fp.doc;
  const pcf = v3PcfToV2(src.pcf);
  if (!pcf.ok) return pcf;
  const out = { ...commonTop(src), specVersion: V2_SPEC_VERSION } as unknown as ProductFootprintV2;
  out.version = meta.version ?? 0;
  if (meta.updated) out.updated = meta.updated;
  if (src.productClassifications?.length) out.productClassifications = [...src.productClassifications];
  out.productCategoryCpc = cpcFromClassifications(src.productClassifications) ?? 'n/a';
  out.comment = src.comment ?? '';
  out.pcf = pcf.value;
  return ok(reorder(out));
}

const TOP_ORDER = [
  'id', 'specVersion', 'precedingPfIds', 'version', 'created', 'updated', 'status', 'statusComment',
  'validityPeriodStart', 'validityPeriodEnd', 'companyName', 'companyIds', 'productDescription', 'productIds',
  'productClassifications', 'productCategoryCpc', 'productNameCompany', 'comment', 'pcf', 'extensions',
];

/** Same object with the top-level keys in the order the specs list them (readability of served JSON). */
function reorder<T extends object>(doc: T): T {
  const src = doc as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of TOP_ORDER) if (src[k] !== undefined) out[k] = src[k];
  for (const [k, v] of Object.entries(src)) if (!(k in out) && v !== undefined) out[k] = v;
  return out as T;
}
