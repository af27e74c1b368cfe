// EDC QuerySpec: reading it from a management body, validating it, and translating it to parameterised SQL.
import type { Criterion, OperandPath } from '../catalog/criteria';
import { NUMERIC_TEXT, NUMERIC_TEXT_SQL, operandTexts, parseCriterion, resolveOperand } from '../catalog/criteria';
import { fail, ok, type Result } from '../common/result';
import { EDC_NS } from '../catalog/vocabulary';

/** EDC `QuerySpec` (defaults: offset 0, limit 50, ascending). */
export interface QuerySpec {
  readonly offset: number;
  readonly limit: number;
  readonly sortOrder: 'ASC' | 'DESC';
  readonly sortField?: string;
  /** ANDed criteria. */
  readonly filterExpression: readonly Criterion[];
}

export const DEFAULT_LIMIT = 50;
/** Largest page a caller may ask for; larger limits are refused rather than silently cut. */
export const MAX_LIMIT = 10_000;

/** A QuerySpec with EDC's defaults for the fields not given. */
export function querySpec(spec: Partial<QuerySpec> = {}): QuerySpec {
  return {
    offset: spec.offset ?? 0,
    limit: spec.limit ?? DEFAULT_LIMIT,
    sortOrder: spec.sortOrder ?? 'ASC',
    ...(spec.sortField !== undefined ? { sortField: spec.sortField } : {}),
    filterExpression: spec.filterExpression ?? [],
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function integerField(node: Record<string, unknown>, name: string, min: number, max: number, dflt: number): Result<number> {
  const raw = node[EDC_NS + name];
  if (raw === undefined) return ok(dflt);
  const n = typeof raw === 'string' && /^-?\d+$/.test(raw) ? Number(raw) : raw;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    return fail('bad-request', `${name} must be an integer between ${min} and ${max}`, [{ path: name, message: `${name} must be an integer between ${min} and ${max}`, invalidValue: raw }]);
  }
  return ok(n);
}

/** Criteria from a normalized node's EDC property (one criterion or a list). Keys are read as EDC names. */
export function criteriaFromNode(value: unknown, path: string): Result<Criterion[]> {
  if (value === undefined) return ok([]);
  const list = Array.isArray(value) ? value : [value];
  const out: Criterion[] = [];
  for (const [i, item] of list.entries()) {
    const plain = isRecord(item)
      ? { operandLeft: item[`${EDC_NS}operandLeft`], operator: item[`${EDC_NS}operator`], operandRight: item[`${EDC_NS}operandRight`] }
      : item;
    const c = parseCriterion(plain, `${path}[${i}]`);
    if (!c.ok) return c;
    out.push(c.value);
  }
  return ok(out);
}

/**
 * Reads a QuerySpec from a normalized management body (see `jsonld-body.ts`; keys are full EDC IRIs). An absent
 * body means the defaults. Out-of-range paging, an unknown sort order and malformed criteria are bad requests.
 */
export function querySpecFromNode(node: Record<string, unknown> | undefined): Result<QuerySpec> {
  if (node === undefined) return ok(querySpec());
  const offset = integerField(node, 'offset', 0, Number.MAX_SAFE_INTEGER, 0);
  if (!offset.ok) return offset;
  const limit = integerField(node, 'limit', 1, MAX_LIMIT, DEFAULT_LIMIT);
  if (!limit.ok) return limit;
  const orderRaw = node[`${EDC_NS}sortOrder`];
  const order = typeof orderRaw === 'string' ? orderRaw.toUpperCase() : orderRaw === undefined ? 'ASC' : undefined;
  if (order !== 'ASC' && order !== 'DESC') {
    return fail('bad-request', 'sortOrder must be ASC or DESC', [{ path: 'sortOrder', message: 'sortOrder must be ASC or DESC', invalidValue: orderRaw }]);
  }
  const sortRaw = node[`${EDC_NS}sortField`];
  if (sortRaw !== undefined && (typeof sortRaw !== 'string' || sortRaw === '')) {
    return fail('bad-request', 'sortField must be a non-empty string', [{ path: 'sortField', message: 'sortField must be a non-empty string', invalidValue: sortRaw }]);
  }
  const filters = criteriaFromNode(node[`${EDC_NS}filterExpression`], 'filterExpression');
  if (!filters.ok) return filters;
  return ok(querySpec({ offset: offset.value, limit: limit.value, sortOrder: order, ...(typeof sortRaw === 'string' ? { sortField: sortRaw } : {}), filterExpression: filters.value }));
}

/** Collects positional parameters for one statement. */
export interface SqlParams {
  /** Adds a value and returns its placeholder (`$n`). */
  add(value: unknown): string;
  readonly values: unknown[];
}

export function sqlParams(initial: readonly unknown[] = []): SqlParams {
  const values = [...initial];
  return {
    values,
    add(value) {
      values.push(value);
      return `$${values.length}`;
    },
  };
}

/** How an entity's field appears in SQL: a text[] of its comparable values and an ORDER BY expression. */
export interface SqlField {
  readonly texts: string;
  readonly sort: string;
}

/** A queryable field stored in a column or computed by a fixed SQL expression of the row (never user input). */
export interface SqlColumn {
  readonly column: string;
  /** Compared and sorted as a number (ordering operators, sortField). */
  readonly numeric?: boolean;
  /** May be NULL: a missing value then satisfies only `!=` and `not in`, as a missing property does. */
  readonly nullable?: boolean;
}

/** Maps a resolved operand to SQL for one table: plain columns and jsonb columns (paths go in as parameters). */
export interface SqlFieldMap {
  /** Field name → column; `numeric` columns sort numerically. */
  readonly columns: Readonly<Record<string, SqlColumn>>;
  /** JSON root name → jsonb column. */
  readonly jsonRoots: Readonly<Record<string, string>>;
  /** Turns an operand into a field or JSON path (validation of names happens here). */
  resolve(operand: string): Result<OperandPath>;
  /** Optional extra fields not expressible as column/path (e.g. properties of list elements). */
  special?(operand: string, params: SqlParams): SqlField | undefined;
}

function sqlField(map: SqlFieldMap, operand: string, params: SqlParams): Result<SqlField> {
  const special = map.special?.(operand, params);
  if (special !== undefined) return ok(special);
  const r = map.resolve(operand);
  if (!r.ok) return r;
  if (r.value.kind === 'field') {
    const col = map.columns[r.value.name];
    if (col === undefined) return fail('bad-request', `field '${operand}' cannot be queried`);
    const texts = col.nullable === true ? `array_remove(ARRAY[${col.column}::text], NULL)` : `ARRAY[${col.column}::text]`;
    return ok({ texts, sort: col.numeric === true ? col.column : `${col.column} COLLATE "C"` });
  }
  const column = map.jsonRoots[r.value.root];
  if (column === undefined) return fail('bad-request', `field '${operand}' cannot be queried`);
  const texts = `catalog_json_texts(${column} #> ${params.add(r.value.path)}::text[])`;
  return ok({ texts, sort: `(${texts})[1] COLLATE "C"` });
}

function condition(texts: string, c: Criterion, params: SqlParams): string {
  const right = operandTexts(c.operandRight);
  const first = right[0] ?? '';
  switch (c.operator) {
    case '=':
    case 'contains':
      return `(${params.add(first)}::text = ANY(${texts}))`;
    case '!=':
      return `NOT (${params.add(first)}::text = ANY(${texts}))`;
    case 'in':
      return `(${texts} && ${params.add(right)}::text[])`;
    case 'not in':
      return `NOT (${texts} && ${params.add(right)}::text[])`;
    case 'like':
      return `EXISTS (SELECT 1 FROM unnest(${texts}) AS v(t) WHERE t LIKE ${params.add(first)}::text)`;
    case 'ilike':
      return `EXISTS (SELECT 1 FROM unnest(${texts}) AS v(t) WHERE lower(t) LIKE lower(${params.add(first)}::text))`;
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const numeric = typeof c.operandRight === 'number' || NUMERIC_TEXT.test(first);
      const p = params.add(first);
      const test = numeric
        ? `CASE WHEN t ~ '${NUMERIC_TEXT_SQL}' THEN t::numeric ${c.operator} ${p}::numeric ELSE false END`
        : `t COLLATE "C" ${c.operator} ${p}::text`;
      return `EXISTS (SELECT 1 FROM unnest(${texts}) AS v(t) WHERE ${test})`;
    }
  }
}

/**
 * A field map of plain columns (no JSON roots). Each field answers to its name and aliases, bare, `edc:`-prefixed or as
 * the full EDC IRI (`state`, `edc:state`, `https://w3id.org/edc/v0.0.1/ns/state`). Other operands are bad requests
 * naming the accepted fields.
 */
export function columnFieldMap(fields: Readonly<Record<string, SqlColumn & { readonly aliases?: readonly string[] }>>): SqlFieldMap {
  const names: Record<string, string> = {};
  for (const [name, f] of Object.entries(fields)) {
    for (const n of [name, ...(f.aliases ?? [])]) {
      names[n] = name;
      if (!n.startsWith('@')) names[EDC_NS + n] = name;
    }
  }
  const accepted = Object.entries(fields).flatMap(([name, f]) => [name, ...(f.aliases ?? [])]).join(', ');
  const columns = Object.fromEntries(Object.entries(fields).map(([name, { aliases: _aliases, ...column }]) => [name, column]));
  return {
    columns,
    jsonRoots: {},
    resolve(operand) {
      const r = resolveOperand(operand, names, []);
      return r.ok ? r : fail('bad-request', `unknown query field '${operand}'; fields: ${accepted}`);
    },
  };
}

export interface SqlQueryParts {
  /** `TRUE` or the ANDed criteria. */
  readonly where: string;
  /** ORDER BY list, always ending with the id for a stable order. */
  readonly orderBy: string;
  /** `LIMIT $n OFFSET $m`. */
  readonly page: string;
}

/**
 * Translates a QuerySpec for one table. Every value (operands, JSON paths, paging) is a parameter; only the fixed
 * column names of `map` and operator keywords are written into the SQL text. Unknown fields are bad requests.
 * `tieBreak` lists fixed ORDER BY expressions placed before the id (e.g. `created_at` for processes).
 */
export function toSql(spec: QuerySpec, map: SqlFieldMap, params: SqlParams, idColumn = 'id', tieBreak: readonly string[] = []): Result<SqlQueryParts> {
  const conditions: string[] = [];
  for (const [i, c] of spec.filterExpression.entries()) {
    const f = sqlField(map, c.operandLeft, params);
    if (!f.ok) return fail('bad-request', f.message, [{ path: `filterExpression[${i}].operandLeft`, message: f.message, invalidValue: c.operandLeft }]);
    conditions.push(condition(f.value.texts, c, params));
  }
  const dir = spec.sortOrder === 'DESC' ? 'DESC' : 'ASC';
  let orderBy = [...tieBreak.map((e) => `${e} ${dir}`), `${idColumn} COLLATE "C" ${dir}`].join(', ');
  if (spec.sortField !== undefined) {
    const f = sqlField(map, spec.sortField, params);
    if (!f.ok) return fail('bad-request', f.message, [{ path: 'sortField', message: f.message, invalidValue: spec.sortField }]);
    orderBy = `${f.value.sort} ${dir}, ${orderBy}`;
  }
  const page = `LIMIT ${params.add(spec.limit)} OFFSET ${params.add(spec.offset)}`;
  return ok({ where: conditions.length > 0 ? conditions.join(' AND ') : 'TRUE', orderBy, page });
}
