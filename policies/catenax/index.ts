// The Catena-X function set: every Catena-X constraint function plus the Catena-X policy-level rules.
import type { PolicyFunctionSet } from '../engine-types';
import { contractualFunctions } from './contractual-functions';
import { credentialFunctions } from './credential-functions';
import { dateFunctions } from './date-functions';
import { catenaXPolicyRules } from './policy-rules';

export { USAGE_PURPOSES } from './contractual-functions';
export { FRAMEWORK_AGREEMENT_VALUES, counterPartyBpn } from './credential-functions';

/** Creates the Catena-X function set for `createPolicyEngine({ functions })`. */
export function createCatenaXFunctions(): PolicyFunctionSet {
  return {
    constraints: [...credentialFunctions, ...contractualFunctions, ...dateFunctions],
    checks: [catenaXPolicyRules],
  };
}
