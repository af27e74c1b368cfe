// Maps a JSON-LD *expanded* ODRL policy node onto the typed model, with precise errors (message + path).
import type {
  AtomicConstraint,
  Constraint,
  Literal,
  LogicalOperator,
  Policy,
  PolicyIssue,
  PolicyResult,
  PolicyType,
  Rule,
  RuleKind,
} from './model';
import { policyFail, policyOk } from './model';
import {
  DSPACE_2024_NS,
  DSPACE_2025_NS,
  EDC_NS,
  LOGICAL_OPERATORS,
  ODRL_NS,
  actionIri,
  leftOperandIri,
  operatorFromTerm,
} from './vocabulary';

type Node = Record<string, unknown>;

const O = (local: string): string => ODRL_NS + local;
const RULE_PROPERTIES: Readonly<Record<RuleKind, string>> = {
  permission: O('permission'),
  prohibition: O('prohibition'),
  obligation: O('obligation'),
};
/** ODRL terms people write under EDC's `@vocab` by mistake (they then expand into the EDC namespace). */
const MISPLACED_TERMS = [
  'permission', 'prohibition', 'obligation', 'action', 'constraint', 'leftOperand', 'operator', 'rightOperand', 'and',
  'or', 'xone', 'andSequence', 'duty', 'target', 'assigner', 'assignee',
];
const UNSUPPORTED_POLICY_PROPS = ['inheritFrom', 'conflict', 'uid', 'relation', 'function'].map(O);
const UNSUPPORTED_RULE_PROPS = ['consequence', 'remedy', 'failure', 'refinement', 'output', 'assigner', 'assignee'].map(O);
const UNSUPPORTED_CONSTRAINT_PROPS = ['rightOperandReference', 'unit', 'dataType', 'status'].map(O);

class Collector {
  readonly issues: PolicyIssue[] = [];
  add(path: string, message: string): void {
    this.issues.push({ path, message });
  }
}

function isNode(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The values of an expanded property as an array (a single `@list` is unwrapped). */
function values(node: Node, prop: string): unknown[] {
  const v = node[prop];
  if (v === undefined) return [];
  const arr = Array.isArray(v) ? v : [v];
  if (arr.length === 1 && isNode(arr[0]) && Array.isArray(arr[0]['@list'])) return arr[0]['@list'] as unknown[];
  return arr;
}

/** A single IRI-or-string value: `{"@id": x}`, `{"@value": "x"}` or a node with `odrl:type`/`@id` (old EDC). */
function termValue(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (!isNode(v)) return undefined;
  if (typeof v['@id'] === 'string') return v['@id'];
  if (typeof v['@value'] === 'string') return v['@value'];
  const typeProp = v[O('type')];
  if (Array.isArray(typeProp) && typeProp.length === 1) return termValue(typeProp[0]);
  return undefined;
}

function singleTerm(node: Node, prop: string, path: string, name: string, c: Collector): string | undefined {
  const vs = values(node, prop);
  if (vs.length === 0) return undefined;
  if (vs.length > 1) {
    c.add(path, `${name} must have exactly one value, found ${vs.length}`);
    return undefined;
  }
  const term = termValue(vs[0]);
  if (term === undefined) c.add(path, `${name} must be an IRI or a string`);
  return term;
}

function checkMisplaced(node: Node, path: string, c: Collector): void {
  for (const t of MISPLACED_TERMS) {
    if (node[EDC_NS + t] !== undefined) {
      c.add(path, `'${t}' expanded to ${EDC_NS}${t}: the ODRL context is missing (add the DSP ODRL profile or the W3C ODRL context, or write odrl:${t})`);
    }
  }
}

function checkUnsupported(node: Node, props: readonly string[], path: string, c: Collector): void {
  for (const p of props) {
    if (node[p] !== undefined) c.add(path, `${p.slice(ODRL_NS.length)} is not supported`);
  }
}

function parseLiteral(v: unknown, path: string, c: Collector): Literal | undefined {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return { value: v };
  if (!isNode(v)) {
    c.add(path, 'right operand values must be literals or IRIs');
    return undefined;
  }
  const raw = v['@value'];
  if (raw !== undefined) {
    if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') {
      c.add(path, 'right operand literal must be a string, number or boolean');
      return undefined;
    }
    const type = v['@type'];
    return typeof type === 'string' && type !== '@json' ? { value: raw, datatype: type } : { value: raw };
  }
  const keys = Object.keys(v);
  if (typeof v['@id'] === 'string' && keys.every((k) => k === '@id' || k === '@type')) {
    return { value: v['@id'], isIri: true };
  }
  c.add(path, 'right operand must be a literal, an IRI or a list of them (nested objects are not supported)');
  return undefined;
}

function parseAtomic(node: Node, path: string, c: Collector): AtomicConstraint | undefined {
  checkUnsupported(node, UNSUPPORTED_CONSTRAINT_PROPS, path, c);
  const left = singleTerm(node, O('leftOperand'), `${path}.leftOperand`, 'leftOperand', c);
  const opProp = node[O('operator')] !== undefined ? O('operator') : O('operand');
  const opTerm = singleTerm(node, opProp, `${path}.operator`, 'operator', c);
  const right = values(node, O('rightOperand'));
  if (opTerm === undefined && node[opProp] === undefined) c.add(`${path}.operator`, 'operator is required');
  if (right.length === 0) c.add(`${path}.rightOperand`, 'rightOperand is required');
  const operator = opTerm === undefined ? undefined : operatorFromTerm(opTerm);
  if (opTerm !== undefined && operator === undefined) c.add(`${path}.operator`, `unknown operator '${opTerm}'`);
  const literals: Literal[] = [];
  right.forEach((v, i) => {
    const lit = parseLiteral(v, `${path}.rightOperand[${i}]`, c);
    if (lit !== undefined) literals.push(lit);
  });
  if (left === undefined || operator === undefined || literals.length !== right.length || right.length === 0) {
    return undefined;
  }
  return { type: 'atomic', leftOperand: leftOperandIri(left), operator, rightOperand: literals };
}

function parseConstraint(v: unknown, path: string, c: Collector): Constraint | undefined {
  if (!isNode(v)) {
    c.add(path, 'a constraint must be an object');
    return undefined;
  }
  checkMisplaced(v, path, c);
  const logical = LOGICAL_OPERATORS.filter((op) => v[O(op)] !== undefined);
  const hasLeft = v[O('leftOperand')] !== undefined;
  if (logical.length > 1 || (logical.length === 1 && hasLeft)) {
    c.add(path, 'a constraint must be either atomic (leftOperand/operator/rightOperand) or one logical operator');
    return undefined;
  }
  if (logical.length === 1) {
    const operator = logical[0] as LogicalOperator;
    const children = values(v, O(operator));
    if (children.length === 0) c.add(`${path}.${operator}`, `'${operator}' needs at least one constraint`);
    const constraints = parseConstraintList(children, `${path}.${operator}`, c);
    return constraints === undefined ? undefined : { type: 'logical', operator, constraints };
  }
  if (!hasLeft) {
    c.add(path, 'constraint has neither leftOperand nor a logical operator (and/or/xone/andSequence)');
    return undefined;
  }
  return parseAtomic(v, path, c);
}

function parseConstraintList(list: unknown[], path: string, c: Collector): Constraint[] | undefined {
  const out: Constraint[] = [];
  let failed = false;
  list.forEach((item, i) => {
    const parsed = parseConstraint(item, `${path}[${i}]`, c);
    if (parsed === undefined) failed = true;
    else out.push(parsed);
  });
  return failed ? undefined : out;
}

function parseRule(v: unknown, kind: RuleKind, path: string, c: Collector): Rule | undefined {
  if (!isNode(v)) {
    c.add(path, `a ${kind} must be an object`);
    return undefined;
  }
  checkMisplaced(v, path, c);
  checkUnsupported(v, UNSUPPORTED_RULE_PROPS, path, c);
  const actions = values(v, O('action'));
  let action: string | undefined;
  if (actions.length !== 1) c.add(`${path}.action`, actions.length === 0 ? 'action is required' : 'exactly one action is allowed');
  else if (isNode(actions[0]) && actions[0][O('refinement')] !== undefined) c.add(`${path}.action`, 'action refinements are not supported');
  else {
    const term = termValue(actions[0]);
    if (term === undefined) c.add(`${path}.action`, 'action must be an IRI or a string');
    else action = actionIri(term);
  }
  const constraints = parseConstraintList(values(v, O('constraint')), `${path}.constraint`, c);
  let duties: Rule[] | undefined;
  const dutyValues = values(v, O('duty'));
  if (dutyValues.length > 0) {
    if (kind !== 'permission') c.add(`${path}.duty`, 'only permissions can have duties');
    duties = [];
    dutyValues.forEach((d, i) => {
      const duty = parseRule(d, 'obligation', `${path}.duty[${i}]`, c);
      if (duty !== undefined) duties?.push(duty);
    });
  }
  const target = singleTerm(v, O('target'), `${path}.target`, 'target', c);
  if (action === undefined || constraints === undefined) return undefined;
  return {
    kind,
    action,
    constraints,
    ...(duties !== undefined ? { duties } : {}),
    ...(target !== undefined ? { target } : {}),
  };
}

function policyType(node: Node, c: Collector): PolicyType | undefined {
  const raw = node['@type'];
  const types = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  let found: PolicyType | undefined;
  for (const t of types) {
    if (typeof t !== 'string') continue;
    const local = t.startsWith(ODRL_NS) ? t.slice(ODRL_NS.length) : t.startsWith('odrl:') ? t.slice(5) : t;
    if (local === 'Set' || local === 'Offer' || local === 'Agreement') found = local;
    else if (local === 'Policy' && found === undefined) found = 'Set';
  }
  if (found === undefined && types.length > 0) {
    c.add('@type', `unsupported policy type ${JSON.stringify(raw)} (expected Set, Offer or Agreement)`);
    return undefined;
  }
  return found ?? 'Set';
}

function timestampOf(node: Node): string | undefined {
  for (const p of [`${DSPACE_2025_NS}timestamp`, `${DSPACE_2024_NS}timestamp`, `${EDC_NS}timestamp`]) {
    const vs = values(node, p);
    if (vs.length > 0) return termValue(vs[0]);
  }
  return undefined;
}

/**
 * Parses one JSON-LD-expanded ODRL policy node (or a one-element array holding it), as produced by
 * `jsonld.expand`. Never throws on bad input: errors are values with a path and a precise message.
 */
export function parseExpandedPolicy(input: unknown): PolicyResult<Policy> {
  const c = new Collector();
  const node = Array.isArray(input) && input.length === 1 ? (input[0] as unknown) : input;
  if (!isNode(node)) return policyFail([{ path: '', message: 'policy must be a single JSON-LD node object' }]);
  checkMisplaced(node, '', c);
  checkUnsupported(node, UNSUPPORTED_POLICY_PROPS, '', c);
  const type = policyType(node, c);
  const rules: Record<RuleKind, Rule[]> = { permission: [], prohibition: [], obligation: [] };
  for (const kind of ['permission', 'prohibition', 'obligation'] as const) {
    values(node, RULE_PROPERTIES[kind]).forEach((v, i) => {
      const rule = parseRule(v, kind, `${kind}[${i}]`, c);
      if (rule !== undefined) rules[kind].push(rule);
    });
  }
  const id = typeof node['@id'] === 'string' ? node['@id'] : undefined;
  const target = singleTerm(node, O('target'), 'target', 'target', c);
  const assigner = singleTerm(node, O('assigner'), 'assigner', 'assigner', c);
  const assignee = singleTerm(node, O('assignee'), 'assignee', 'assignee', c);
  const profile = values(node, O('profile')).map(termValue).filter((p): p is string => p !== undefined);
  const timestamp = timestampOf(node);
  if (c.issues.length > 0 || type === undefined) return policyFail(c.issues);
  return policyOk({
    ...(id !== undefined ? { id } : {}),
    type,
    ...(target !== undefined ? { target } : {}),
    ...(assigner !== undefined ? { assigner } : {}),
    ...(assignee !== undefined ? { assignee } : {}),
    ...(timestamp !== undefined ? { timestamp } : {}),
    ...(profile.length > 0 ? { profile } : {}),
    permissions: rules.permission,
    prohibitions: rules.prohibition,
    obligations: rules.obligation,
  });
}
