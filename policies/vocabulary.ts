// ODRL, Catena-X, EDC and DSP namespaces, and the mapping between compact policy terms and full IRIs.
import type { LogicalOperator, Operator } from './model';

export const ODRL_NS = 'http://www.w3.org/ns/odrl/2/';
export const CX_POLICY_NS = 'https://w3id.org/catenax/2025/9/policy/';
/** Legacy Catena-X namespace (context `https://w3id.org/tractusx/policy/v1.0.0`, DSP 0.8 traffic). */
export const CX_POLICY_LEGACY_NS = 'https://w3id.org/catenax/policy/';
export const EDC_NS = 'https://w3id.org/edc/v0.0.1/ns/';
/** Tractus-X namespace used by older BusinessPartnerNumber/Group policies. */
export const TX_NS = 'https://w3id.org/tractusx/v0.0.1/ns/';
export const DSPACE_2025_NS = 'https://w3id.org/dspace/2025/1/';
export const DSPACE_2024_NS = 'https://w3id.org/dspace/2024/1/';
export const XSD_NS = 'http://www.w3.org/2001/XMLSchema#';

export const CONTEXT_DSP_2025_ODRL = 'https://w3id.org/dspace/2025/1/odrl-profile.jsonld';
export const CONTEXT_CX_POLICY_2025_9 = 'https://w3id.org/catenax/2025/9/policy/context.jsonld';
export const CONTEXT_CX_POLICY_LEGACY = 'https://w3id.org/tractusx/policy/v1.0.0';
export const CONTEXT_ODRL_W3C = 'http://www.w3.org/ns/odrl.jsonld';

export const ACTION_USE = `${ODRL_NS}use`;
export const ACTION_ACCESS = `${CX_POLICY_NS}access`;
export const EDC_IN_FORCE_DATE = `${EDC_NS}inForceDate`;
export const EDC_DATE_EXPRESSION = `${EDC_NS}dateExpression`;

export const OPERATORS: readonly Operator[] = [
  'eq', 'neq', 'gt', 'gteq', 'lt', 'lteq', 'isA', 'hasPart', 'isPartOf', 'isAllOf', 'isAnyOf', 'isNoneOf', 'term-lteq',
];
export const LOGICAL_OPERATORS: readonly LogicalOperator[] = ['and', 'or', 'xone', 'andSequence'];
/** Operators whose right operand is a collection: serialized as an array, compared order-insensitively. */
export const SET_OPERATORS: ReadonlySet<Operator> = new Set(['isAnyOf', 'isNoneOf', 'isAllOf', 'isPartOf', 'hasPart']);

/** Constraint names defined by the Catena-X 2025/9 policy context (`cx-policy:` terms), plus `access`. */
export const CX_POLICY_TERMS: ReadonlySet<string> = new Set([
  'access', 'AffiliatesBpnl', 'AffiliatesRegion', 'BusinessPartnerGroup', 'BusinessPartnerNumber',
  'ConfidentialInformationMeasures', 'ConfidentialInformationSharing', 'ContractReference', 'ContractTermination',
  'DataFrequency', 'DataProvisioningEndDate', 'DataProvisioningEndDurationDays', 'DataUsageEndDate',
  'DataUsageEndDurationDays', 'DataUsageEndDefinition', 'ExclusiveUsage', 'FrameworkAgreement', 'JurisdictionLocation',
  'JurisdictionLocationReference', 'Liability', 'Membership', 'Precedence', 'UsagePurpose', 'UsageRestriction',
  'VersionChanges', 'Warranty', 'WarrantyDurationMonths', 'WarrantyDefinition',
]);

/** Terms only the legacy context defines (they have no 2025/9 counterpart). */
const CX_LEGACY_ONLY = /^(FrameworkAgreement\.[A-Za-z]+|Dismantler(\.[A-Za-z]+)?)$/;

/** ODRL 2.2 common-vocabulary left operands (bare names resolve to the ODRL namespace). */
const ODRL_LEFT_OPERANDS: ReadonlySet<string> = new Set([
  'absolutePosition', 'absoluteSize', 'absoluteSpatialPosition', 'absoluteTemporalPosition', 'count', 'dateTime',
  'delayPeriod', 'deliveryChannel', 'device', 'elapsedTime', 'event', 'fileFormat', 'industry', 'language', 'media',
  'meteredTime', 'payAmount', 'percentage', 'product', 'purpose', 'recipient', 'relativePosition', 'relativeSize',
  'relativeSpatialPosition', 'relativeTemporalPosition', 'resolution', 'spatial', 'spatialCoordinates', 'system',
  'systemDevice', 'timeInterval', 'unitOfCount', 'version', 'virtualLocation',
]);

const PREFIXES: Readonly<Record<string, string>> = {
  odrl: ODRL_NS,
  'cx-policy': CX_POLICY_NS,
  edc: EDC_NS,
  tx: TX_NS,
  dspace: DSPACE_2025_NS,
  xsd: XSD_NS,
};

function isAbsoluteIri(value: string): boolean {
  return /^(https?|urn|did):/i.test(value);
}

function expandPrefixed(value: string): string | undefined {
  const colon = value.indexOf(':');
  if (colon <= 0) return undefined;
  const ns = PREFIXES[value.slice(0, colon)];
  return ns === undefined ? undefined : ns + value.slice(colon + 1);
}

/** Full IRI of a left operand written as an IRI, a known prefix (`cx-policy:`) or a bare name (`UsagePurpose`). */
export function leftOperandIri(value: string): string {
  if (isAbsoluteIri(value)) return value;
  const prefixed = expandPrefixed(value);
  if (prefixed !== undefined) return prefixed;
  if (CX_POLICY_TERMS.has(value)) return CX_POLICY_NS + value;
  if (CX_LEGACY_ONLY.test(value)) return CX_POLICY_LEGACY_NS + value;
  if (value === 'inForceDate') return EDC_IN_FORCE_DATE;
  if (ODRL_LEFT_OPERANDS.has(value)) return ODRL_NS + value;
  return value;
}

/** Full IRI of an action: `use` → ODRL, `access` → Catena-X; EDC's old upper-case `USE` is accepted. */
export function actionIri(value: string): string {
  if (isAbsoluteIri(value)) return value;
  const prefixed = expandPrefixed(value);
  if (prefixed !== undefined) return prefixed;
  const lower = value === value.toUpperCase() ? value.toLowerCase() : value;
  if (lower === 'access') return ACTION_ACCESS;
  return ODRL_NS + lower;
}

/** The operator named by an IRI or compact term, or undefined when it is not one we know. */
export function operatorFromTerm(value: string): Operator | undefined {
  let local = value;
  if (value.startsWith(ODRL_NS)) local = value.slice(ODRL_NS.length);
  else if (value.startsWith('odrl:')) local = value.slice(5);
  if (local === 'in' || local === 'isIn') return 'isPartOf';
  return (OPERATORS as readonly string[]).includes(local) ? (local as Operator) : undefined;
}

/** The local name of an IRI in one of the Catena-X namespaces, or undefined. */
export function catenaXName(iri: string): string | undefined {
  if (iri.startsWith(CX_POLICY_NS)) return iri.slice(CX_POLICY_NS.length);
  if (iri.startsWith(CX_POLICY_LEGACY_NS)) return iri.slice(CX_POLICY_LEGACY_NS.length);
  if (iri.startsWith(TX_NS)) return iri.slice(TX_NS.length);
  return undefined;
}

/** A short human-readable name for an IRI (for explanations): the local name of known namespaces. */
export function displayName(iri: string): string {
  for (const ns of [CX_POLICY_NS, CX_POLICY_LEGACY_NS, ODRL_NS, EDC_NS, TX_NS]) {
    if (iri.startsWith(ns)) return iri.slice(ns.length);
  }
  return iri;
}

/**
 * The compact term a DSP 2025-1 message can use for an IRI, given the ODRL profile and Catena-X 2025/9 contexts
 * in `@context`: ODRL terms and `cx-policy:` terms defined by the contexts compact; anything else stays a full IRI.
 */
export function compactForDsp2025(iri: string, kind: 'action' | 'leftOperand' | 'operator'): string {
  if (kind === 'operator') return iri.startsWith(ODRL_NS) ? iri.slice(ODRL_NS.length) : iri;
  if (iri === ACTION_USE) return 'use';
  if (iri.startsWith(CX_POLICY_NS)) {
    const local = iri.slice(CX_POLICY_NS.length);
    if (CX_POLICY_TERMS.has(local)) return local;
  }
  return iri;
}

/** `odrl:`-prefixed form for ODRL IRIs, full IRI otherwise (DSP 2024-1 defines only standard prefixes). */
export function odrlPrefixed(iri: string): string {
  return iri.startsWith(ODRL_NS) ? `odrl:${iri.slice(ODRL_NS.length)}` : iri;
}

/** EDC management output form: `odrl:` and `cx-policy:` prefixes (both declared in its `@context`), else the IRI. */
export function edcPrefixed(iri: string): string {
  if (iri.startsWith(ODRL_NS)) return `odrl:${iri.slice(ODRL_NS.length)}`;
  if (iri.startsWith(CX_POLICY_NS)) return `cx-policy:${iri.slice(CX_POLICY_NS.length)}`;
  return iri;
}
