// Turns a parameterised statement into one with quoted literals, so it can share a simple-protocol round trip with BEGIN.
import { escapeLiteral } from 'pg';
import { prepareValue } from 'pg/lib/utils';

/** Parameters above this total size stay on the extended protocol (escaping big JSON in JS costs more than a round trip). */
export const MAX_INLINE_PARAMETER_CHARS = 8_192;

/** A statement split at its placeholders: text parts and, between them, 0-based parameter indexes. */
interface Template {
  readonly texts: readonly string[];
  readonly slots: readonly number[];
}

const templates = new Map<string, Template | null>();
const MAX_TEMPLATES = 2_000;

const isIdentChar = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_$]/.test(c);

/** End index (exclusive) of the quoted run starting at `start` (a `'`, `"` or E-string), honouring doubled quotes. */
function endOfQuoted(sql: string, start: number, quote: string, backslashEscapes: boolean): number {
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i];
    if (backslashEscapes && c === '\\') i += 2;
    else if (c === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else i++;
  }
  return -1;
}

/**
 * Splits `sql` at its `$n` placeholders, skipping string literals, quoted identifiers, comments and dollar-quoted
 * bodies. Returns null for text it does not fully understand (an unterminated quote or comment): the caller then
 * keeps the statement on the extended protocol.
 */
function parseTemplate(sql: string): Template | null {
  const texts: string[] = [];
  const slots: number[] = [];
  let from = 0;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i] as string;
    const next = sql[i + 1];
    if (c === "'") {
      const escapes = (sql[i - 1] === 'E' || sql[i - 1] === 'e') && !isIdentChar(sql[i - 2]);
      i = endOfQuoted(sql, i, "'", escapes);
    } else if (c === '"') {
      i = endOfQuoted(sql, i, '"', false);
    } else if (c === '-' && next === '-') {
      const nl = sql.indexOf('\n', i);
      i = nl === -1 ? sql.length : nl + 1;
    } else if (c === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      if (end === -1 || sql.slice(i + 2, end).includes('/*')) return null;
      i = end + 2;
    } else if (c === '$' && !isIdentChar(sql[i - 1])) {
      const digits = /^\$(\d+)/.exec(sql.slice(i, i + 12));
      if (digits !== null) {
        texts.push(sql.slice(from, i));
        slots.push(Number(digits[1]) - 1);
        i += digits[0].length;
        from = i;
        continue;
      }
      const tag = /^\$[A-Za-z_][A-Za-z0-9_]*\$|^\$\$/.exec(sql.slice(i, i + 64));
      if (tag === null) {
        i++;
        continue;
      }
      const end = sql.indexOf(tag[0], i + tag[0].length);
      i = end === -1 ? -1 : end + tag[0].length;
    } else {
      i++;
    }
    if (i === -1) return null;
  }
  texts.push(sql.slice(from));
  return { texts, slots };
}

function templateOf(sql: string): Template | null {
  let t = templates.get(sql);
  if (t === undefined) {
    t = parseTemplate(sql);
    if (templates.size >= MAX_TEMPLATES) templates.clear();
    templates.set(sql, t);
  }
  return t;
}

/** The SQL literal for a prepared parameter (the text the extended protocol would have sent); undefined if unsafe. */
function literalOf(prepared: string | Buffer | null): string | undefined {
  if (prepared === null) return 'NULL';
  if (Buffer.isBuffer(prepared)) return escapeLiteral(`\\x${prepared.toString('hex')}`);
  // A NUL byte would end the simple-protocol query string early: leave such values to the extended protocol.
  if (prepared.includes('\u0000')) return undefined;
  return escapeLiteral(prepared);
}

/**
 * `sql` with every `$n` replaced by the quoted literal of `params[n-1]`, or undefined when the statement must stay on
 * the extended protocol (parameters too large, a NUL byte, a placeholder without a parameter, SQL not understood).
 */
export function inlineParameters(sql: string, params: readonly unknown[]): string | undefined {
  if (params.length === 0) return sql;
  const template = templateOf(sql);
  if (template === null) return undefined;
  const prepared = params.map((p) => prepareValue(p));
  let size = 0;
  for (const p of prepared) size += p === null ? 0 : Buffer.isBuffer(p) ? 2 * p.length : p.length;
  if (size > MAX_INLINE_PARAMETER_CHARS) return undefined;
  const literals: string[] = [];
  for (const p of prepared) {
    const lit = literalOf(p);
    if (lit === undefined) return undefined;
    literals.push(lit);
  }
  let out = template.texts[0] as string;
  for (let k = 0; k < template.slots.length; k++) {
    const lit = literals[template.slots[k] as number];
    if (lit === undefined) return undefined;
    out += lit + (template.texts[k + 1] as string);
  }
  return out;
}
