// Writes the policy model as plain JSON in the DSP 2025-1, DSP 2024-1 (also DSP 0.8) and EDC Management v3 forms.
import type { JsonValue } from './engine-types';
import type { Constraint, Literal, Policy, Rule } from './model';
import {
  CONTEXT_CX_POLICY_2025_9,
  CONTEXT_DSP_2025_ODRL,
  CX_POLICY_NS,
  EDC_NS,
  ODRL_NS,
  SET_OPERATORS,
  compactForDsp2025,
  edcPrefixed,
  odrlPrefixed,
} from './vocabulary';

export type PolicyDialect = 'dsp-2025-1' | 'dsp-2024-1' | 'edc-management';

export type JsonObject = { [key: string]: JsonValue };

export interface SerializeOptions {
  /**
   * Add an `@context` to the output. Default: true for `edc-management`, false for the DSP dialects (the policy is
   * embedded in a message whose `@context` must then include {@link requiredContexts}).
   */
  readonly includeContext?: boolean;
}

/** The EDC Management API v3 context used in responses (`@vocab` EDC plus prefixes). */
export const EDC_MANAGEMENT_CONTEXT: JsonObject = {
  '@vocab': EDC_NS,
  edc: EDC_NS,
  odrl: ODRL_NS,
  'cx-policy': CX_POLICY_NS,
};

/**
 * The contexts a message carrying a policy serialized for `dialect` must list so the compact terms expand correctly
 * (the DSP 2025-1 message context already imports the ODRL profile; the Catena-X terms need their own context).
 */
export function requiredContexts(dialect: PolicyDialect): JsonValue[] {
  switch (dialect) {
    case 'dsp-2025-1':
      return [CONTEXT_CX_POLICY_2025_9];
    case 'dsp-2024-1':
      return [];
    case 'edc-management':
      return [EDC_MANAGEMENT_CONTEXT];
  }
}

interface Writer {
  key(local: string): string;
  action(iri: string): JsonValue;
  leftOperand(iri: string): JsonValue;
  operator(iri: string): JsonValue;
  reference(value: string): JsonValue;
  type(local: string): string;
  timestampKey: string;
  /** Non-string literals must be written as value objects (DSP 2025-1 schema). */
  stringsOnly: boolean;
}

const DSP_2025: Writer = {
  key: (l) => l,
  action: (iri) => compactForDsp2025(iri, 'action'),
  leftOperand: (iri) => compactForDsp2025(iri, 'leftOperand'),
  operator: (iri) => compactForDsp2025(iri, 'operator'),
  reference: (v) => v,
  type: (l) => l,
  timestampKey: 'timestamp',
  stringsOnly: true,
};

const DSP_2024: Writer = {
  key: (l) => `odrl:${l}`,
  action: (iri) => odrlPrefixed(iri),
  leftOperand: (iri) => odrlPrefixed(iri),
  operator: (iri) => odrlPrefixed(iri),
  reference: (v) => v,
  type: (l) => `odrl:${l}`,
  timestampKey: 'dspace:timestamp',
  stringsOnly: false,
};

const EDC: Writer = {
  key: (l) => `odrl:${l}`,
  action: (iri) => ({ '@id': edcPrefixed(iri) }),
  leftOperand: (iri) => ({ '@id': edcPrefixed(iri) }),
  operator: (iri) => ({ '@id': edcPrefixed(iri) }),
  reference: (v) => ({ '@id': v }),
  type: (l) => `odrl:${l}`,
  timestampKey: 'edc:timestamp',
  stringsOnly: false,
};

/** A right-operand value; DSP 2025-1 allows only strings, objects and arrays, so other scalars become value objects. */
function literal(l: Literal, stringsOnly: boolean): JsonValue {
  if (l.isIri === true) return { '@id': String(l.value) };
  if (l.datatype !== undefined) return { '@value': l.value, '@type': l.datatype };
  return stringsOnly && typeof l.value !== 'string' ? { '@value': l.value } : l.value;
}

function constraint(c: Constraint, w: Writer): JsonObject {
  if (c.type === 'logical') return { [w.key(c.operator)]: c.constraints.map((x) => constraint(x, w)) };
  const values = c.rightOperand.map((l) => literal(l, w.stringsOnly));
  const asArray = values.length > 1 || SET_OPERATORS.has(c.operator);
  return {
    [w.key('leftOperand')]: w.leftOperand(c.leftOperand),
    [w.key('operator')]: w.operator(ODRL_NS + c.operator),
    [w.key('rightOperand')]: asArray ? values : (values[0] as JsonValue),
  };
}

function rule(r: Rule, w: Writer): JsonObject {
  const out: JsonObject = { [w.key('action')]: w.action(r.action) };
  if (r.target !== undefined) out[w.key('target')] = w.reference(r.target);
  if (r.constraints.length > 0) out[w.key('constraint')] = r.constraints.map((c) => constraint(c, w));
  if (r.duties !== undefined && r.duties.length > 0) out[w.key('duty')] = r.duties.map((d) => rule(d, w));
  return out;
}

function writerFor(dialect: PolicyDialect): Writer {
  switch (dialect) {
    case 'dsp-2025-1':
      return DSP_2025;
    case 'dsp-2024-1':
      return DSP_2024;
    case 'edc-management':
      return EDC;
  }
}

/**
 * Serializes a policy for a dialect as plain JSON built directly (no JSON-LD compaction): `dsp-2025-1` uses the
 * unprefixed compact terms of the 2025-1 examples, `dsp-2024-1` the `odrl:`-prefixed form (also used for DSP 0.8),
 * `edc-management` the EDC Management API v3 shape (`odrl:` keys, `{"@id": …}` terms, `@vocab` EDC context).
 */
export function serializePolicy(policy: Policy, dialect: PolicyDialect, opts: SerializeOptions = {}): JsonObject {
  const w = writerFor(dialect);
  const out: JsonObject = {};
  const includeContext = opts.includeContext ?? dialect === 'edc-management';
  if (includeContext) {
    out['@context'] = dialect === 'dsp-2025-1'
      ? [CONTEXT_DSP_2025_ODRL, CONTEXT_CX_POLICY_2025_9]
      : dialect === 'dsp-2024-1'
        ? 'https://w3id.org/dspace/2024/1/context.json'
        : EDC_MANAGEMENT_CONTEXT;
  }
  if (policy.id !== undefined) out['@id'] = policy.id;
  out['@type'] = w.type(policy.type);
  if (policy.profile !== undefined) out[w.key('profile')] = policy.profile.map((p) => p);
  if (policy.target !== undefined) out[w.key('target')] = w.reference(policy.target);
  if (policy.assigner !== undefined) out[w.key('assigner')] = w.reference(policy.assigner);
  if (policy.assignee !== undefined) out[w.key('assignee')] = w.reference(policy.assignee);
  if (policy.timestamp !== undefined) out[w.timestampKey] = policy.timestamp;
  const emitEmpty = dialect === 'edc-management';
  const lists: [string, readonly Rule[]][] = [
    ['permission', policy.permissions],
    ['prohibition', policy.prohibitions],
    ['obligation', policy.obligations],
  ];
  for (const [key, rules] of lists) {
    if (rules.length > 0 || emitEmpty) out[w.key(key)] = rules.map((r) => rule(r, w));
  }
  return out;
}
