// EDC criteria (`operandLeft operator operandRight`): parsing, operand paths and the in-memory matcher the SQL mirrors.
import { fail, ok, type Result } from '../common/result';
import { propertyIri } from './vocabulary';

/** EDC criterion operators (`CriterionOperatorRegistry`), lower case. */
export const CRITERION_OPERATORS = ['=', '!=', 'in', 'not in', 'like', 'ilike', 'contains', '<', '<=', '>', '>='] as const;
export type CriterionOperator = (typeof CRITERION_OPERATORS)[number];

export type CriterionScalar = string | number | boolean;
export type CriterionValue = CriterionScalar | readonly CriterionScalar[];

/** One EDC criterion; a list of criteria is ANDed. */
export interface Criterion {
  /** A field name or path, e.g. `https://w3id.org/edc/v0.0.1/ns/id` or `'http://purl.org/dc/terms/type'.'@id'`. */
  readonly operandLeft: string;
  readonly operator: CriterionOperator;
  readonly operandRight: CriterionValue;
}

/** Number syntax compared numerically by the ordering operators (same regular expression in SQL). */
export const NUMERIC_TEXT = /^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$/;
export const NUMERIC_TEXT_SQL = '^-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?$';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function scalarOf(v: unknown): CriterionScalar | undefined {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (isRecord(v)) {
    const inner = v['@id'] ?? v['@value'];
    if (typeof inner === 'string' || typeof inner === 'number' || typeof inner === 'boolean') return inner;
  }
  return undefined;
}

/** Reads a criterion from plain JSON (`{operandLeft, operator, operandRight}`); `path` locates it in errors. */
export function parseCriterion(raw: unknown, path: string): Result<Criterion> {
  if (!isRecord(raw)) return fail('bad-request', `${path} must be a Criterion object`, [{ path, message: 'must be a Criterion object', invalidValue: raw ?? null }]);
  const left = raw.operandLeft;
  if (typeof left !== 'string' || left.trim() === '') {
    return fail('bad-request', `${path}.operandLeft must be a non-empty string`, [{ path: `${path}.operandLeft`, message: 'operandLeft must be a non-empty string', invalidValue: left ?? null }]);
  }
  const opRaw = raw.operator;
  const op = typeof opRaw === 'string' ? opRaw.trim().toLowerCase().replace(/\s+/g, ' ') : undefined;
  if (op === undefined || !(CRITERION_OPERATORS as readonly string[]).includes(op)) {
    return fail('bad-request', `${path}.operator must be one of ${CRITERION_OPERATORS.join(', ')}`, [{ path: `${path}.operator`, message: `unknown operator; use one of ${CRITERION_OPERATORS.join(', ')}`, invalidValue: opRaw ?? null }]);
  }
  const right = raw.operandRight;
  let value: CriterionValue | undefined;
  if (Array.isArray(right)) {
    const items = right.map(scalarOf);
    value = items.every((i) => i !== undefined) ? (items as CriterionScalar[]) : undefined;
  } else {
    value = scalarOf(right);
  }
  if (value === undefined) {
    return fail('bad-request', `${path}.operandRight must be a string, number, boolean or a list of them`, [{ path: `${path}.operandRight`, message: 'operandRight must be a string, number, boolean or a list of them', invalidValue: right ?? null }]);
  }
  return ok({ operandLeft: left, operator: op as CriterionOperator, operandRight: value });
}

/** A resolved operand: a top-level field of the entity or a path into one of its JSON objects. */
export type OperandPath =
  | { readonly kind: 'field'; readonly name: string }
  | { readonly kind: 'json'; readonly root: string; readonly path: readonly string[] };

/** Splits `'a.b'.'@id'` / `root.'x'` into segments; single quotes protect dots. Undefined when quotes are unbalanced. */
export function splitOperand(operand: string): string[] | undefined {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  let wasQuoted = false;
  for (const ch of operand) {
    if (ch === "'") {
      quoted = !quoted;
      wasQuoted = true;
    } else if (ch === '.' && !quoted) {
      out.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  if (quoted) return undefined;
  out.push(current);
  return wasQuoted ? out : [operand];
}

/**
 * Resolves an operand against an entity's fields and JSON roots: `fields` maps accepted names (and IRIs) to field
 * names; `roots` names the JSON objects reachable as `<root>.'<key>'…`; `defaultRoot` takes any other name as a key
 * of that object (assets: `properties`). Property keys get prefix expansion (`dct:type`, bare names → EDC).
 */
export function resolveOperand(
  operand: string,
  fields: Readonly<Record<string, string>>,
  roots: readonly string[],
  defaultRoot?: string,
): Result<OperandPath> {
  const direct = fields[operand] ?? fields[propertyIri(operand)];
  if (direct !== undefined) return ok({ kind: 'field', name: direct });
  const segments = splitOperand(operand);
  if (segments === undefined || segments.some((s) => s === '')) return fail('bad-request', `invalid operand '${operand}': unbalanced quotes or empty path segment`);
  const [first, ...rest] = segments;
  if (first !== undefined && roots.includes(first) && rest.length > 0) {
    return ok({ kind: 'json', root: first, path: [propertyIri(rest[0] as string), ...rest.slice(1)] });
  }
  if (defaultRoot === undefined || first === undefined) return fail('bad-request', `unknown query field '${operand}'`);
  return ok({ kind: 'json', root: defaultRoot, path: [propertyIri(first), ...rest] });
}

/** The value at a JSON path, or undefined. */
export function valueAt(root: unknown, path: readonly string[]): unknown {
  let v: unknown = root;
  for (const key of path) {
    if (!isRecord(v)) return undefined;
    v = v[key];
  }
  return v;
}

function scalarText(v: unknown): string | undefined {
  if (v === null || v === undefined || Array.isArray(v)) return undefined;
  if (isRecord(v)) {
    const inner = v['@id'] !== undefined && v['@id'] !== null ? v['@id'] : v['@value'];
    if (inner === undefined || inner === null) return undefined;
    return typeof inner === 'string' ? inner : JSON.stringify(inner);
  }
  return String(v);
}

/** The comparable texts of a stored value; mirrors SQL `catalog_json_texts` (migration 0400). */
export function valueTexts(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(scalarText).filter((t): t is string => t !== undefined);
  const t = scalarText(v);
  return t === undefined ? [] : [t];
}

/** The texts of a right operand (a scalar is a one-element list: JSON-LD does not tell `"a"` from `["a"]`). */
export function operandTexts(v: CriterionValue): string[] {
  return (Array.isArray(v) ? v : [v]).map((x) => String(x));
}

/** SQL LIKE pattern (`%`, `_`, backslash escape) as a regular expression. */
export function likeRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  let src = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string;
    if (ch === '\\' && i + 1 < pattern.length) src += (pattern[++i] as string).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    else if (ch === '%') src += '[\\s\\S]*';
    else if (ch === '_') src += '[\\s\\S]';
    else src += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${src}$`, caseInsensitive ? 'i' : '');
}

function compare(a: string, b: string, numeric: boolean): number | undefined {
  if (numeric) {
    if (!NUMERIC_TEXT.test(a)) return undefined;
    return Number(a) - Number(b);
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Whether a field with these texts satisfies `operator operandRight` (the SQL translation does the same). */
export function matchesTexts(texts: readonly string[], operator: CriterionOperator, operandRight: CriterionValue): boolean {
  const right = operandTexts(operandRight);
  const first = right[0] ?? '';
  switch (operator) {
    case '=':
    case 'contains':
      return texts.includes(first);
    case '!=':
      return !texts.includes(first);
    case 'in':
      return texts.some((t) => right.includes(t));
    case 'not in':
      return !texts.some((t) => right.includes(t));
    case 'like':
    case 'ilike': {
      const re = likeRegExp(operator === 'ilike' ? first.toLowerCase() : first, false);
      return texts.some((t) => re.test(operator === 'ilike' ? t.toLowerCase() : t));
    }
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const numeric = typeof operandRight === 'number' || NUMERIC_TEXT.test(first);
      return texts.some((t) => {
        const c = compare(t, first, numeric);
        if (c === undefined) return false;
        return operator === '<' ? c < 0 : operator === '<=' ? c <= 0 : operator === '>' ? c > 0 : c >= 0;
      });
    }
  }
}
