// In-memory evaluation of a footprint filter over index fields (same semantics as the SQL compiler).
import type { FootprintIndexFields } from '../model/index-fields';
import type { CompareOp, FootprintFilter } from './filter-ast';

function compare<T extends number | string>(left: T, op: CompareOp, right: T): boolean {
  switch (op) {
    case 'eq': return left === right;
    case 'lt': return left < right;
    case 'le': return left <= right;
    case 'gt': return left > right;
    case 'ge': return left >= right;
  }
}

/** Code-point order of two strings (what PostgreSQL's `COLLATE "C"` uses on UTF-8). */
function codePointKey(s: string): number[] {
  return Array.from(s, (c) => c.codePointAt(0) ?? 0);
}

function compareText(left: string, op: CompareOp, right: string): boolean {
  if (op === 'eq') return left === right;
  const a = codePointKey(left);
  const b = codePointKey(right);
  let cmp = 0;
  for (let i = 0; i < Math.min(a.length, b.length) && cmp === 0; i++) cmp = a[i] - b[i];
  if (cmp === 0) cmp = a.length - b.length;
  return compare(cmp, op, 0);
}

/** True when the footprint with these index fields satisfies `filter`. */
export function matchesFilter(filter: FootprintFilter, f: FootprintIndexFields): boolean {
  switch (filter.kind) {
    case 'true': return true;
    case 'false': return false;
    case 'and': return filter.all.every((x) => matchesFilter(x, f));
    case 'or': return filter.any.some((x) => matchesFilter(x, f));
    case 'time': {
      const v = f[filter.field];
      return v !== null && compare(Date.parse(v), filter.op, Date.parse(filter.value));
    }
    case 'text': {
      const v = f[filter.field];
      return v !== null && compareText(v, filter.op, filter.value);
    }
    case 'has': return f[filter.field].includes(filter.value);
    case 'validity': {
      const at = Date.parse(filter.at);
      const start = Date.parse(f.validityStart);
      const end = Date.parse(f.validityEnd);
      if (filter.op === 'on') return start <= at && at <= end;
      return filter.op === 'after' ? start > at : end < at;
    }
  }
}
