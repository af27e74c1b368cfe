// TypeScript shapes of the PACT ProductFootprint for Tech Specs v2.3 and v3.0 (derived from schemas/pact/*.schema.json).

export type PfStatus = 'Active' | 'Deprecated';

/** The two PACT data-model generations the host serves. */
export type PactVersion = '2' | '3';

export interface DataModelExtension {
  specVersion: string;
  dataSchema: string;
  documentation?: string;
  data: Record<string, unknown>;
}

export interface ProductOrSectorSpecificRule {
  operator: 'PEF' | 'EPD International' | 'Other';
  ruleNames: string[];
  otherOperatorName?: string;
}

export interface EmissionFactorSource {
  name: string;
  version: string;
}

/** Fields common to the top level of both versions. */
interface ProductFootprintBase {
  id: string;
  specVersion: string;
  precedingPfIds?: string[];
  created: string;
  status: PfStatus;
  validityPeriodStart?: string;
  validityPeriodEnd?: string;
  companyName: string;
  companyIds: string[];
  productDescription: string;
  productIds: string[];
  productClassifications?: string[];
  productNameCompany: string;
  extensions?: DataModelExtension[];
  [extra: string]: unknown;
}

export interface DataQualityIndicatorsV2 {
  coveragePercent: number;
  technologicalDQR: number;
  temporalDQR: number;
  geographicalDQR: number;
  completenessDQR: number;
  reliabilityDQR: number;
}

export interface AssuranceV2 {
  assurance: boolean;
  providerName: string;
  coverage?: 'corporate level' | 'product line' | 'PCF system' | 'product level';
  level?: 'limited' | 'reasonable';
  boundary?: 'Gate-to-Gate' | 'Cradle-to-Gate';
  completedAt?: string;
  standardName?: string;
  comments?: string;
}

/** v2.3 CarbonFootprint: quantities are decimal strings, percentages and DQRs numbers. */
export interface CarbonFootprintV2 {
  declaredUnit: string;
  unitaryProductAmount: string;
  productMassPerDeclaredUnit?: string;
  pCfExcludingBiogenic: string;
  pCfIncludingBiogenic?: string;
  fossilGhgEmissions: string;
  fossilCarbonContent: string;
  biogenicCarbonContent: string;
  dLucGhgEmissions?: string;
  landManagementGhgEmissions?: string;
  otherBiogenicGhgEmissions?: string;
  iLucGhgEmissions?: string;
  biogenicCarbonWithdrawal?: string;
  aircraftGhgEmissions?: string;
  packagingEmissionsIncluded: boolean;
  packagingGhgEmissions?: string;
  characterizationFactors?: 'AR5' | 'AR6';
  ipccCharacterizationFactorsSources: string[];
  crossSectoralStandardsUsed?: string[];
  crossSectoralStandards?: string[];
  productOrSectorSpecificRules?: ProductOrSectorSpecificRule[];
  biogenicAccountingMethodology?: 'PEF' | 'ISO' | 'GHGP' | 'Quantis';
  boundaryProcessesDescription: string;
  referencePeriodStart: string;
  referencePeriodEnd: string;
  geographyRegionOrSubregion?: string;
  geographyCountry?: string;
  geographyCountrySubdivision?: string;
  secondaryEmissionFactorSources?: EmissionFactorSource[];
  exemptedEmissionsPercent: number;
  exemptedEmissionsDescription: string;
  allocationRulesDescription?: string;
  uncertaintyAssessmentDescription?: string;
  primaryDataShare?: number;
  dqi?: DataQualityIndicatorsV2;
  assurance?: AssuranceV2;
  [extra: string]: unknown;
}

export interface ProductFootprintV2 extends ProductFootprintBase {
  version: number;
  updated?: string;
  statusComment?: string;
  productCategoryCpc: string;
  comment: string;
  pcf: CarbonFootprintV2;
}

export interface DataQualityIndicatorsV3 {
  technologicalDQR: string;
  geographicalDQR: string;
  temporalDQR: string;
}

export interface VerificationV3 {
  coverage?: 'PCF calculation model' | 'PCF program' | 'product level';
  providerName?: string;
  completedAt?: string;
  standardName?: string;
  comments?: string;
}

/** v3.0 CarbonFootprint: every fractional value is a decimal string. */
export interface CarbonFootprintV3 {
  declaredUnitOfMeasurement: string;
  declaredUnitAmount: string;
  productMassPerDeclaredUnit: string;
  referencePeriodStart: string;
  referencePeriodEnd: string;
  geographyRegionOrSubregion?: string;
  geographyCountry?: string;
  geographyCountrySubdivision?: string;
  boundaryProcessesDescription?: string;
  pcfExcludingBiogenicUptake: string;
  pcfIncludingBiogenicUptake: string;
  fossilCarbonContent: string;
  biogenicCarbonContent?: string;
  recycledCarbonContent?: string;
  fossilGhgEmissions: string;
  landUseChangeGhgEmissions?: string;
  landCarbonLeakage?: string;
  landManagementFossilGhgEmissions?: string;
  landManagementBiogenicCO2Emissions?: string;
  landManagementBiogenicCO2Removals?: string;
  biogenicCO2Uptake?: string;
  biogenicNonCO2Emissions?: string;
  landAreaOccupation?: string;
  aircraftGhgEmissions?: string;
  packagingEmissionsIncluded?: boolean;
  packagingGhgEmissions?: string;
  packagingBiogenicCarbonContent?: string;
  outboundLogisticsGhgEmissions?: string;
  ccsTechnologicalCO2CaptureIncluded?: boolean;
  ccsTechnologicalCO2Capture?: string;
  technologicalCO2CaptureOrigin?: string;
  technologicalCO2Removals?: string;
  ccuCarbonContent?: string;
  ccuCalculationApproach?: 'Cut-off' | 'Credit';
  ccuCreditCertification?: string;
  ipccCharacterizationFactors: string[];
  crossSectoralStandards: string[];
  productOrSectorSpecificRules?: ProductOrSectorSpecificRule[];
  exemptedEmissionsPercent: string;
  exemptedEmissionsDescription?: string;
  allocationRulesDescription?: string;
  secondaryEmissionFactorSources?: EmissionFactorSource[];
  primaryDataShare?: string;
  dqi?: DataQualityIndicatorsV3;
  verification?: VerificationV3;
  [extra: string]: unknown;
}

export interface ProductFootprintV3 extends ProductFootprintBase {
  comment?: string;
  pcf: CarbonFootprintV3;
}

/** A schema-valid footprint tagged with the data-model generation its `specVersion` declares. */
export type PactFootprint =
  | { readonly version: '2'; readonly doc: ProductFootprintV2 }
  | { readonly version: '3'; readonly doc: ProductFootprintV3 };

/** One validation problem: where (RFC 6901 JSON pointer into the document) and why (`rule: detail`). */
export interface FootprintIssue {
  readonly pointer: string;
  /** `schema` for JSON Schema violations, otherwise the name of the PACT rule that failed. */
  readonly rule: string;
  readonly reason: string;
}
