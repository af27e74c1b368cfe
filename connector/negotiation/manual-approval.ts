// The opt-in "manual approval" of a contract definition: requests wait in REQUESTED for the provider's user.
import type { CatalogContractDefinition } from '../catalog-service/catalog-source';

const EDC_NS = 'https://w3id.org/edc/v0.0.1/ns/';

/** The private property that turns it on (`"privateProperties": {"manualApproval": true}` with the EDC `@vocab`). */
export const MANUAL_APPROVAL_PROPERTY = `${EDC_NS}manualApproval`;

function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length === 1 && truthy(value[0]);
  if (typeof value === 'object' && value !== null && '@value' in value) return truthy((value as { '@value': unknown })['@value']);
  return value === true || value === 'true';
}

/**
 * Whether a contract definition asks for manual approval: its `privateProperties` hold `manualApproval` = true (as the
 * EDC IRI, `edc:` prefixed or bare; JSON-LD value objects and one-element arrays are read too). Anything else is false.
 */
export function requiresManualApproval(definition: Pick<CatalogContractDefinition, 'privateProperties'> | undefined): boolean {
  const p = definition?.privateProperties;
  if (typeof p !== 'object' || p === null) return false;
  return truthy(p[MANUAL_APPROVAL_PROPERTY] ?? p['edc:manualApproval'] ?? p['manualApproval']);
}
