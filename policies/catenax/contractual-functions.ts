// Catena-X contractual constraints: validated against the allowed values, accepted at run time as agreed terms.
import type { ConstraintFunction, PolicyScope } from '../engine-types';
import type { Operator, RuleKind } from '../model';
import type { ValueRule } from './operand-checks';
import { BPNL, POSITIVE_INTEGER, cxIris, operatorProblem, stringValues, valueProblems } from './operand-checks';

/** Catena-X usage purposes (usage-purpose-constraint-schema.json, 2025/9). */
export const USAGE_PURPOSES: readonly string[] = [
  'cx.core.legalRequirementForThirdparty:1', 'cx.core.industrycore:1', 'cx.core.qualityNotifications:1',
  'cx.core.digitalTwinRegistry:1', 'cx.pcf.base:1', 'cx.quality.base:1', 'cx.dcm.base:1', 'cx.puris.base:1',
  'cx.circular.dpp:1', 'cx.circular.smc:1', 'cx.circular.marketplace:1', 'cx.circular.materialaccounting:1',
  'cx.bpdm.gate.upload:1', 'cx.bpdm.gate.download:1', 'cx.bpdm.pool:1', 'cx.bpdm.poolAll:1',
  'cx.bpdm.vas.countryrisk:1', 'cx.bpdm.vas.dataquality.upload:1', 'cx.bpdm.vas.dataquality.download:1',
  'cx.bpdm.vas.bdv.upload:1', 'cx.bpdm.vas.bdv.download:1', 'cx.bpdm.vas.fpd.upload:1', 'cx.bpdm.vas.fpd.download:1',
  'cx.bpdm.vas.swd.upload:1', 'cx.bpdm.vas.swd.download:1', 'cx.bpdm.vas.nps.upload:1', 'cx.bpdm.vas.nps.download:1',
  'cx.ccm.base:1', 'cx.logistics.base:1', 'cx.engineering.base:1', 'cx.materialaccounting.base:1',
  'cx.esdscom.base:1', 'cx.ecu.base:1',
];

/** A value that looks like a Catena-X identifier (`cx.<…>:<n>`) must be a known one; others are "individual". */
const CX_IDENTIFIER = /^cx\.[A-Za-z0-9.]+:\d+$/;

const NEGOTIATION_AND_TRANSFER: readonly PolicyScope[] = ['contract.negotiation', 'transfer.process'];

interface ContractualSpec {
  readonly name: string;
  readonly operators: readonly Operator[];
  readonly values: ValueRule;
  readonly ruleKinds?: readonly RuleKind[];
  readonly scopes?: readonly PolicyScope[];
  /** Extra check on the values (e.g. the "individual" usage purposes). */
  readonly extra?: (values: readonly string[]) => string[];
}

const SPECS: readonly ContractualSpec[] = [
  {
    name: 'UsagePurpose',
    operators: ['isAnyOf'],
    values: { single: false },
    extra: (values) => values
      .filter((v) => CX_IDENTIFIER.test(v) && !USAGE_PURPOSES.includes(v))
      .map((v) => `right operand '${v}' is not a Catena-X usage purpose (e.g. cx.pcf.base:1)`),
  },
  { name: 'ContractReference', operators: ['isAllOf'], values: { single: false } },
  {
    name: 'AffiliatesRegion',
    operators: ['isAnyOf'],
    ruleKinds: ['permission', 'prohibition'],
    values: {
      single: false,
      allowed: ['all', 'europe', 'northAmerica', 'southAmerica', 'africa', 'asia', 'oceania', 'antarctica'].map((r) => `cx.region.${r}:1`),
    },
  },
  {
    name: 'AffiliatesBpnl',
    operators: ['isAnyOf'],
    ruleKinds: ['permission', 'prohibition'],
    values: { single: false, pattern: BPNL, patternName: 'a BPNL' },
  },
  {
    name: 'UsageRestriction',
    operators: ['isAllOf'],
    ruleKinds: ['prohibition'],
    values: {
      single: false,
      allowed: ['thirdParty', 'manipulation', 'derivations', 'extraordinaryAnalytics', 'dataProviderRemoval'].map((r) => `cx.${r}.forbidden:1`),
    },
  },
  { name: 'DataFrequency', operators: ['eq'], values: { allowed: ['cx.dataFrequency.once:1', 'cx.dataFrequency.unlimited:1'] } },
  { name: 'VersionChanges', operators: ['eq'], values: { allowed: ['cx.versionChanges.minor:1', 'cx.versionChanges.major:1'] } },
  {
    name: 'ContractTermination',
    operators: ['eq'],
    scopes: ['contract.negotiation'],
    values: { allowed: ['cx.data.deletion:1', 'cx.data.keeping:1'] },
  },
  {
    name: 'ConfidentialInformationMeasures',
    operators: ['eq'],
    scopes: ['contract.negotiation'],
    values: { allowed: ['cx.confidentiality.measures:1'] },
  },
  {
    name: 'ConfidentialInformationSharing',
    operators: ['isAnyOf'],
    scopes: ['contract.negotiation'],
    values: { single: false, allowed: ['cx.sharing.affiliates:1', 'cx.sharing.managedLegalEntity:1'] },
  },
  { name: 'ExclusiveUsage', operators: ['eq'], values: { allowed: ['cx.exclusiveUsage.dataConsumer:1'] } },
  {
    name: 'Warranty',
    operators: ['eq'],
    values: { allowed: ['cx.warranty.none:1', 'cx.warranty.contractReference:1', 'cx.warranty.dataQualityIssues:1'] },
  },
  { name: 'WarrantyDefinition', operators: ['eq'], values: { allowed: ['cx.warranty.contractEndDate:1'] } },
  { name: 'WarrantyDurationMonths', operators: ['eq'], values: { pattern: POSITIVE_INTEGER, patternName: 'a positive whole number of months' } },
  { name: 'Liability', operators: ['eq'], values: { allowed: ['cx.grossNegligence:1', 'cx.slightNegligence:1'] } },
  { name: 'JurisdictionLocation', operators: ['eq'], values: {} },
  {
    name: 'JurisdictionLocationReference',
    operators: ['eq'],
    values: { allowed: ['cx.location.dataConsumer:1', 'cx.location.contractReference:1'] },
  },
  {
    name: 'Precedence',
    operators: ['eq'],
    values: { allowed: ['cx.precedence.contractReference:1', 'cx.precedence.rcAgreement:1'] },
  },
  {
    name: 'DataUsageEndDefinition',
    operators: ['eq'],
    scopes: ['transfer.process', 'policy.monitor'],
    values: { allowed: ['cx.dataUsageEnd.unlimited:1'] },
  },
];

function contractual(spec: ContractualSpec): ConstraintFunction {
  return {
    name: spec.name,
    leftOperands: cxIris(spec.name),
    scopes: spec.scopes ?? NEGOTIATION_AND_TRANSFER,
    ruleKinds: spec.ruleKinds ?? ['permission'],
    validate(c) {
      const problems = [...operatorProblem(c, spec.operators), ...valueProblems(c, spec.values)];
      const values = stringValues(c);
      if (problems.length === 0 && spec.extra !== undefined && values !== undefined) problems.push(...spec.extra(values));
      return problems;
    },
    evaluate(c) {
      const agreed = c.rightOperand.map((l) => l.value);
      return { verdict: 'contractual', observed: agreed.length === 1 ? (agreed[0] as string) : agreed, reason: 'agreed term, not checked at run time' };
    },
  };
}

export const contractualFunctions: readonly ConstraintFunction[] = SPECS.map(contractual);
