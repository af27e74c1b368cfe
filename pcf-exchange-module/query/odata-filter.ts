// Parser for the PACT v2 `$filter` OData subset: eq/lt/le/gt/ge, `and`, parentheses, productIds|companyIds/any(x:x eq '…').
import { allOf, filterFailure, type CompareOp, type FilterParse, type FilterProblem, type FootprintFilter, type ListField, type TextField, type TimeField } from './filter-ast';

type TokenType = 'lparen' | 'rparen' | 'colon' | 'string' | 'datetime' | 'word' | 'end';
interface Token {
  readonly type: TokenType;
  readonly text: string;
  readonly pos: number;
}

const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})/i;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;
const OPERATORS = new Set<string>(['eq', 'lt', 'le', 'gt', 'ge']);
const UNSUPPORTED_OPERATORS = new Set(['ne', 'has', 'in', 'add', 'sub', 'mul', 'div', 'mod']);

const TIME_PATHS: Readonly<Record<string, TimeField>> = {
  created: 'created',
  updated: 'updated',
  'pcf/referencePeriodStart': 'referencePeriodStart',
  'pcf/referencePeriodEnd': 'referencePeriodEnd',
};
const TEXT_PATHS: Readonly<Record<string, TextField>> = {
  productCategoryCpc: 'productCategoryCpc',
  'pcf/geographyCountry': 'geographyCountry',
};
const LAMBDA_PATHS: Readonly<Record<string, ListField>> = { productIds: 'productIds', companyIds: 'companyIds' };

class FilterSyntaxError extends Error {
  constructor(readonly detail: FilterProblem) {
    super(detail.message);
  }
}

function err(pos: number, problem: FilterProblem['problem'], what: string): FilterSyntaxError {
  return new FilterSyntaxError({ parameter: '$filter', position: pos, problem, message: `$filter at position ${pos}: ${what}` });
}

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i];
    if (/\s/.test(c)) { i++; continue; }
    if (c === '(') { tokens.push({ type: 'lparen', text: c, pos: i }); i++; continue; }
    if (c === ')') { tokens.push({ type: 'rparen', text: c, pos: i }); i++; continue; }
    if (c === ':') { tokens.push({ type: 'colon', text: c, pos: i }); i++; continue; }
    if (c === "'") {
      let value = '';
      let j = i + 1;
      for (;;) {
        if (j >= input.length) throw err(i, 'malformed', 'unterminated string literal');
        if (input[j] === "'") {
          if (input[j + 1] === "'") { value += "'"; j += 2; continue; }
          break;
        }
        value += input[j++];
      }
      tokens.push({ type: 'string', text: value, pos: i });
      i = j + 1;
      continue;
    }
    const dt = DATETIME.exec(input.slice(i));
    if (dt !== null) { tokens.push({ type: 'datetime', text: dt[0], pos: i }); i += dt[0].length; continue; }
    const word = /^[^\s():']+/.exec(input.slice(i));
    if (word === null) throw err(i, 'malformed', `unexpected character ${JSON.stringify(c)}`);
    tokens.push({ type: 'word', text: word[0], pos: i });
    i += word[0].length;
  }
  tokens.push({ type: 'end', text: '', pos: input.length });
  return tokens;
}

class Parser {
  private at = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token { return this.tokens[this.at]; }
  private next(): Token { return this.tokens[this.at++]; }
  private expect(type: TokenType, what: string): Token {
    const t = this.next();
    if (t.type !== type) throw err(t.pos, 'malformed', `expected ${what}, found ${describe(t)}`);
    return t;
  }

  parse(): FootprintFilter {
    const f = this.andExpr();
    const t = this.peek();
    if (t.type !== 'end') throw err(t.pos, 'malformed', `unexpected ${describe(t)}`);
    return f;
  }

  private andExpr(): FootprintFilter {
    const parts = [this.unary()];
    for (;;) {
      const t = this.peek();
      if (t.type === 'word' && t.text === 'and') { this.next(); parts.push(this.unary()); continue; }
      if (t.type === 'word' && t.text === 'or') throw err(t.pos, 'unsupported', "'or' is not part of the PACT $filter subset (only 'and')");
      return allOf(parts);
    }
  }

  private unary(): FootprintFilter {
    const t = this.peek();
    if (t.type === 'lparen') {
      this.next();
      const inner = this.andExpr();
      this.expect('rparen', "')'");
      return inner;
    }
    if (t.type === 'word' && t.text === 'not') throw err(t.pos, 'unsupported', "'not' is not part of the PACT $filter subset");
    if (t.type !== 'word') throw err(t.pos, 'malformed', `expected a property or '(', found ${describe(t)}`);
    this.next();
    const lambda = /^(.*)\/(any|all)$/.exec(t.text);
    if (lambda !== null) return this.lambda(t, lambda[1], lambda[2]);
    return this.comparison(t);
  }

  private lambda(t: Token, path: string, fn: string): FootprintFilter {
    const field = LAMBDA_PATHS[path];
    if (field === undefined || fn !== 'any') {
      throw err(t.pos, 'unsupported', `only productIds/any(…) and companyIds/any(…) are supported, not ${t.text}`);
    }
    this.expect('lparen', "'(' after any");
    const variable = this.expect('word', 'a lambda variable');
    this.expect('colon', "':' after the lambda variable");
    let parens = 0;
    while (this.peek().type === 'lparen') { this.next(); parens++; }
    const ref = this.expect('word', `the lambda variable ${variable.text}`);
    if (ref.text !== variable.text) throw err(ref.pos, 'malformed', `expected the lambda variable ${variable.text}, found ${ref.text}`);
    const op = this.expect('word', "'eq'");
    if (op.text !== 'eq') throw err(op.pos, OPERATORS.has(op.text) || UNSUPPORTED_OPERATORS.has(op.text) ? 'unsupported' : 'malformed', `inside any(…) only 'eq' is supported, found ${op.text}`);
    const literal = this.next();
    if (literal.type !== 'string') throw err(literal.pos, 'malformed', `expected a quoted string literal, found ${describe(literal)}`);
    for (let i = 0; i < parens; i++) this.expect('rparen', "')'");
    this.expect('rparen', "')' closing any(…)");
    return { kind: 'has', field, value: literal.text.toLowerCase() };
  }

  private comparison(property: Token): FootprintFilter {
    const timeField = TIME_PATHS[property.text];
    const textField = TEXT_PATHS[property.text];
    if (timeField === undefined && textField === undefined) {
      throw err(property.pos, 'unsupported', `property ${property.text} cannot be filtered (supported: created, updated, productCategoryCpc, pcf/geographyCountry, pcf/referencePeriodStart, pcf/referencePeriodEnd, productIds/any, companyIds/any)`);
    }
    const op = this.next();
    if (op.type !== 'word' || !OPERATORS.has(op.text)) {
      const unsupported = op.type === 'word' && UNSUPPORTED_OPERATORS.has(op.text);
      throw err(op.pos, unsupported ? 'unsupported' : 'malformed', unsupported ? `operator ${op.text} is not supported (eq, lt, le, gt, ge)` : `expected an operator (eq, lt, le, gt, ge), found ${describe(op)}`);
    }
    const literal = this.next();
    if (timeField !== undefined) {
      const text = literal.type === 'string' || literal.type === 'datetime' ? literal.text : undefined;
      if (text === undefined || !RFC3339.test(text) || Number.isNaN(Date.parse(text))) {
        throw err(literal.pos, 'malformed', `${property.text} needs an RFC 3339 date-time literal, found ${describe(literal)}`);
      }
      return { kind: 'time', field: timeField, op: op.text as CompareOp, value: new Date(Date.parse(text)).toISOString() };
    }
    if (literal.type !== 'string') throw err(literal.pos, 'malformed', `${property.text} needs a quoted string literal, found ${describe(literal)}`);
    return { kind: 'text', field: textField as TextField, op: op.text as CompareOp, value: literal.text };
  }
}

function describe(t: Token): string {
  if (t.type === 'end') return 'end of input';
  if (t.type === 'string') return `'${t.text}'`;
  return JSON.stringify(t.text);
}

/** Parses a v2 `$filter` value into the footprint filter AST, or a precise `bad-request` failure. */
export function parseODataFilter(input: string): FilterParse {
  if (input.trim() === '') return filterFailure([{ parameter: '$filter', position: 0, problem: 'malformed', message: '$filter at position 0: the filter is empty' }]);
  try {
    return { ok: true, value: new Parser(tokenize(input)).parse() };
  } catch (e) {
    if (e instanceof FilterSyntaxError) return filterFailure([e.detail]);
    throw e;
  }
}
