// Maps a Catena-X PCF (io.catenax.pcf 7.0.0/8.0.0/9.0.0) to a PACT v3.0 footprint; Catena-X-only data goes to an extension.
import { fail, ok, type Result } from '../../connector/common/result';
import { normalizeCatenaXPcf } from './catenax-normalize';
import { UN_CPC_PREFIX, V3_SPEC_VERSION } from './convert-v2-v3';
import { numberToDecimal } from './decimal';
import type { CarbonFootprintV3, DataModelExtension, ProductFootprintV3, ProductOrSectorSpecificRule, VerificationV3 } from './pact-types';
import type { CatenaXVersion } from './schema-registry';
import { validateCatenaXPcf } from './validate';

/** `dataSchema` of the extension carrying Catena-X-only fields: the SAMM aspect URN of the source model. */
export function catenaXAspectUrn(version: CatenaXVersion): string {
  return `urn:samm:io.catenax.pcf:${version}#Pcf`;
}

/** Namespace for Catena-X identifiers that are URIs but not URNs (PACT ids must be URNs); originals stay in the extension. */
export const NON_URN_ID_PREFIX = 'urn:catenax:uri:';

const PLACEHOLDER_VERSION = 'unspecified';

const STANDARD_CODES: readonly (readonly [RegExp, string])[] = [
  [/^ISO( Standard)? ?14067$/i, 'ISO14067'],
  [/^ISO( Standard)? ?14044$/i, 'ISO14040-44'],
  [/^ISO( Standard)? ?14083$/i, 'ISO14083'],
  [/^GHG Protocol Product (standard|Standard)$/i, 'GHGP-Product'],
  [/^PEF$/i, 'PEF'],
];

class Reader {
  readonly used = new Set<string>();
  constructor(private readonly src: Record<string, unknown>) {}
  take(key: string): unknown {
    this.used.add(key);
    return this.src[key];
  }
  leftovers(): Record<string, unknown> {
    return Object.fromEntries(Object.entries(this.src).filter(([k]) => !this.used.has(k)));
  }
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function dec(v: unknown): string | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? numberToDecimal(v) : undefined;
}

function plainUuid(v: unknown): string | undefined {
  const s = str(v) ?? (typeof v === 'object' && v !== null ? str((v as Record<string, unknown>).id) : undefined);
  return s?.replace(/^urn:uuid:/i, '').toLowerCase();
}

/** Catena-X timestamps may omit the offset; PACT date-times need one (UTC assumed). */
function timestamp(v: unknown): string | undefined {
  const s = str(v);
  if (s === undefined) return undefined;
  return /(Z|[+-]\d{2}:\d{2})$/i.test(s) ? s : `${s}Z`;
}

function urn(id: string): string {
  return /^urn:/i.test(id) ? id : `${NON_URN_ID_PREFIX}${encodeURIComponent(id)}`;
}

function urns(v: unknown): string[] {
  return Array.isArray(v) ? [...new Set(v.filter((x): x is string => typeof x === 'string').map(urn))] : [];
}

function setIf<T extends object>(target: T, key: keyof T, value: unknown): void {
  if (value !== undefined && value !== null) (target as Record<PropertyKey, unknown>)[key] = value;
}

function rulesOf(v: unknown): ProductOrSectorSpecificRule[] | undefined {
  if (!Array.isArray(v) || v.length === 0) return undefined;
  const names = v.filter((x): x is string => typeof x === 'string' && x.length > 0);
  if (names.length > 0) return [{ operator: 'Other', ruleNames: [...new Set(names)] }];
  const rules: ProductOrSectorSpecificRule[] = [];
  for (const r of v) {
    if (typeof r !== 'object' || r === null) continue;
    const rec = r as Record<string, unknown>;
    const op = rec.extWBCSD_operator;
    const ruleNames = Array.isArray(rec.productOrSectorSpecificRules)
      ? rec.productOrSectorSpecificRules.map((n) => str((n as Record<string, unknown>)?.ruleName)).filter((n): n is string => !!n)
      : [];
    if (ruleNames.length === 0) continue;
    const rule: ProductOrSectorSpecificRule = {
      operator: op === 'PEF' || op === 'EPD International' ? op : 'Other',
      ruleNames: [...new Set(ruleNames)],
    };
    const other = str(rec.extWBCSD_otherOperatorName);
    if (other) rule.otherOperatorName = other;
    rules.push(rule);
  }
  return rules.length > 0 ? rules : undefined;
}

function emissionFactorSources(v: unknown): { name: string; version: string }[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out = v
    .filter((s): s is string => typeof s === 'string' && s.trim().length > 0)
    .map((s) => {
      const m = /^(.*\S)\s+v?(\d[\w.-]*)$/.exec(s.trim());
      return m ? { name: m[1], version: m[2] } : { name: s.trim(), version: PLACEHOLDER_VERSION };
    });
  return out.length > 0 ? out : undefined;
}

function verificationOf(v: unknown): VerificationV3 | undefined {
  if (!Array.isArray(v) || v.length === 0 || typeof v[0] !== 'object' || v[0] === null) return undefined;
  const a = v[0] as Record<string, unknown>;
  const out: VerificationV3 = {};
  setIf(out, 'providerName', str(a.providerName));
  setIf(out, 'completedAt', timestamp(a.completedAt));
  setIf(out, 'standardName', str(a.standardName));
  return out;
}

/**
 * Validates `doc` against the Catena-X PCF `version` schema and maps it to PACT v3.0. Catena-X-only and
 * unmapped fields (plus the original identifiers, version, specVersion and geography) are kept in one
 * `extensions[]` entry whose `dataSchema` is the aspect URN. Fails with `bad-request` when the document is
 * invalid or lacks a value PACT requires, `conflict` when a value has no PACT equivalent.
 */
export function catenaXToPact(doc: unknown, version: CatenaXVersion): Result<ProductFootprintV3> {
  const valid = validateCatenaXPcf(doc, version);
  if (!valid.ok) return valid;
  const flat = normalizeCatenaXPcf(valid.value, version);
  const top = new Reader(flat.top);
  const p = new Reader(flat.pcf);

  const unit = str(p.take('declaredUnitOfMeasurement'));
  if (unit === 'megabit' || unit === 'second' || unit === undefined) return fail('conflict', `declared unit "${unit}" has no PACT v3 equivalent`);
  const ipccRaw = p.take('ipccCharacterizationFactors');
  const ipcc = (Array.isArray(ipccRaw) ? ipccRaw : [ipccRaw]).filter((f): f is string => typeof f === 'string' && /^AR\d+$/.test(f));
  if (ipcc.length === 0) return fail('conflict', 'PACT needs at least one IPCC assessment report (AR<n>) as characterization factor');
  const standardsRaw = p.take('crossSectoralStandards');
  const standards = [...new Set((Array.isArray(standardsRaw) ? standardsRaw : []).filter((s): s is string => typeof s === 'string')
    .map((s) => STANDARD_CODES.find(([re]) => re.test(s))?.[1] ?? s))];
  if (standards.length === 0) return fail('bad-request', 'PACT needs at least one cross-sectoral standard');
  const excluding = dec(p.take('pcfExcludingBiogenicUptake'));
  const fossil = dec(p.take('fossilGhgEmissions'));
  const fossilContent = dec(p.take('fossilCarbonContent'));
  if (excluding === undefined || fossil === undefined || fossilContent === undefined) {
    return fail('bad-request', 'PACT requires pcfExcludingBiogenicUptake, fossilGhgEmissions and fossilCarbonContent');
  }
  const geography = {
    geographyRegionOrSubregion: p.take('geographyRegionOrSubregion'),
    geographyCountry: p.take('geographyCountry'),
    geographyCountrySubdivision: p.take('geographyCountrySubdivision'),
  };

  const pcf: CarbonFootprintV3 = {
    declaredUnitOfMeasurement: unit,
    declaredUnitAmount: dec(p.take('declaredUnitAmount')) ?? '1',
    productMassPerDeclaredUnit: dec(p.take('productMassPerDeclaredUnit')) ?? '0',
    referencePeriodStart: timestamp(p.take('referencePeriodStart')) ?? '',
    referencePeriodEnd: timestamp(p.take('referencePeriodEnd')) ?? '',
    pcfExcludingBiogenicUptake: excluding,
    pcfIncludingBiogenicUptake: dec(p.take('pcfIncludingBiogenicUptake')) ?? excluding,
    fossilGhgEmissions: fossil,
    fossilCarbonContent: fossilContent,
    ipccCharacterizationFactors: [...new Set(ipcc)],
    crossSectoralStandards: standards,
    exemptedEmissionsPercent: dec(p.take('exemptedEmissionsPercent')) ?? '0',
  };
  if (geography.geographyCountrySubdivision !== undefined) pcf.geographyCountrySubdivision = String(geography.geographyCountrySubdivision);
  else if (geography.geographyCountry !== undefined) pcf.geographyCountry = String(geography.geographyCountry);
  else if (geography.geographyRegionOrSubregion !== undefined) pcf.geographyRegionOrSubregion = String(geography.geographyRegionOrSubregion);
  setIf(pcf, 'boundaryProcessesDescription', str(p.take('boundaryProcessesDescription')));
  for (const k of ['biogenicCarbonContent', 'recycledCarbonContent', 'landUseChangeGhgEmissions', 'landManagementBiogenicCO2Emissions',
    'landManagementBiogenicCO2Removals', 'biogenicCO2Uptake', 'biogenicNonCO2Emissions', 'aircraftGhgEmissions',
    'packagingBiogenicCarbonContent'] as const) {
    setIf(pcf, k, dec(p.take(k)));
  }
  const packagingIncluded = p.take('packagingEmissionsIncluded');
  if (typeof packagingIncluded === 'boolean') pcf.packagingEmissionsIncluded = packagingIncluded;
  const packaging = dec(p.take('packagingGhgEmissions')) ?? dec(flat.pcf.packagingPcfExcludingBiogenicUptake);
  if (packaging !== undefined && packagingIncluded !== false) pcf.packagingGhgEmissions = packaging;
  setIf(pcf, 'productOrSectorSpecificRules', rulesOf(p.take('productOrSectorSpecificRules')));
  setIf(pcf, 'exemptedEmissionsDescription', str(p.take('exemptedEmissionsDescription')));
  setIf(pcf, 'allocationRulesDescription', str(p.take('allocationRulesDescription')));
  setIf(pcf, 'secondaryEmissionFactorSources', emissionFactorSources(p.take('secondaryEmissionFactorSources')));
  setIf(pcf, 'primaryDataShare', dec(p.take('primaryDataShare')));
  const dqr = p.take('dataQualityRating') as Record<string, unknown> | undefined;
  const [t, g, te] = [dec(dqr?.technologicalDQR), dec(dqr?.geographicalDQR), dec(dqr?.temporalDQR)];
  if (t !== undefined && g !== undefined && te !== undefined) pcf.dqi = { technologicalDQR: t, geographicalDQR: g, temporalDQR: te };
  const ccs = top.take('ccsTechnologicalCO2CaptureIncluded');
  if (typeof ccs === 'boolean') pcf.ccsTechnologicalCO2CaptureIncluded = ccs;
  setIf(pcf, 'verification', verificationOf(flat.top.attestationOfConformance));

  const id = plainUuid(top.take('id')) ?? '';
  const preceding = Array.isArray(flat.top.precedingPfIds) ? [...new Set(flat.top.precedingPfIds.map(plainUuid).filter((x): x is string => !!x))] : [];
  top.take('precedingPfIds');
  const cpc = str(top.take('extWBCSD_productCodeCpc'));
  const classifications = [...urns(top.take('productClassifications')), ...(cpc ? [`${UN_CPC_PREFIX}${cpc}`] : [])];
  const companyIdsRaw = top.take('companyIds');
  const productIdsRaw = top.take('productIds');

  const out: ProductFootprintV3 = {
    id,
    specVersion: V3_SPEC_VERSION,
    created: timestamp(top.take('created')) ?? '',
    status: top.take('status') === 'Deprecated' ? 'Deprecated' : 'Active',
    companyName: str(top.take('companyName')) ?? '',
    companyIds: urns(companyIdsRaw),
    productDescription: str(top.take('productDescription')) ?? '',
    productIds: urns(productIdsRaw),
    productNameCompany: str(top.take('productNameCompany')) ?? '',
    pcf,
  };
  if (preceding.length > 0) out.precedingPfIds = preceding;
  setIf(out, 'validityPeriodStart', timestamp(top.take('validityPeriodStart')));
  setIf(out, 'validityPeriodEnd', timestamp(top.take('validityPeriodEnd')));
  if (classifications.length > 0) out.productClassifications = [...new Set(classifications)];
  setIf(out, 'comment', str(top.take('comment')));

  const data: Record<string, unknown> = {
    ...top.leftovers(),
    specVersion: flat.top.specVersion,
    version: flat.top.version,
    companyIds: companyIdsRaw,
    productIds: productIdsRaw,
  };
  const pcfRest = { ...p.leftovers(), ...Object.fromEntries(Object.entries(geography).filter(([, v]) => v !== undefined)) };
  if (Object.keys(pcfRest).length > 0) data.pcf = pcfRest;
  const extension: DataModelExtension = { specVersion: version, dataSchema: catenaXAspectUrn(version), data };
  out.extensions = [extension];
  return ok(out);
}
