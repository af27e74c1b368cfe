// Compiles a footprint filter to a parameterised SQL WHERE clause over the footprints table (never inlines values).
import type { CompareOp, FootprintFilter, ListField, TextField, TimeField } from './filter-ast';

export interface SqlFragment {
  readonly sql: string;
  readonly params: readonly unknown[];
}

const TIME_COLUMNS: Readonly<Record<TimeField, string>> = {
  created: 'created',
  updated: 'updated',
  referencePeriodStart: 'reference_period_start',
  referencePeriodEnd: 'reference_period_end',
};
const TEXT_COLUMNS: Readonly<Record<TextField, string>> = {
  productCategoryCpc: 'product_category_cpc',
  geographyCountry: 'geography_country',
  status: 'status',
};
const LIST_COLUMNS: Readonly<Record<ListField, string>> = {
  productIds: 'product_ids',
  companyIds: 'company_ids',
  classifications: 'classifications',
  geographies: 'geographies',
};
const SQL_OPS: Readonly<Record<CompareOp, string>> = { eq: '=', lt: '<', le: '<=', gt: '>', ge: '>=' };

/**
 * `filter` as a boolean SQL expression whose placeholders start at `$firstParamIndex`; `columnPrefix` (e.g. `f.`)
 * qualifies the column names. Text ordering uses `COLLATE "C"` (code-point order, as the in-memory matcher).
 */
export function toSqlWhere(filter: FootprintFilter, firstParamIndex = 1, columnPrefix = ''): SqlFragment {
  const params: unknown[] = [];
  const param = (value: unknown, cast: string): string => {
    params.push(value);
    return `$${firstParamIndex + params.length - 1}::${cast}`;
  };
  const col = (name: string): string => `${columnPrefix}${name}`;

  const build = (f: FootprintFilter): string => {
    switch (f.kind) {
      case 'true': return 'TRUE';
      case 'false': return 'FALSE';
      case 'and': return `(${f.all.map(build).join(' AND ')})`;
      case 'or': return `(${f.any.map(build).join(' OR ')})`;
      case 'time': return `${col(TIME_COLUMNS[f.field])} ${SQL_OPS[f.op]} ${param(f.value, 'timestamptz')}`;
      case 'text': {
        const c = col(TEXT_COLUMNS[f.field]);
        return f.op === 'eq' ? `${c} = ${param(f.value, 'text')}` : `${c} COLLATE "C" ${SQL_OPS[f.op]} ${param(f.value, 'text')}`;
      }
      case 'has': return `${col(LIST_COLUMNS[f.field])} @> ARRAY[${param(f.value, 'text')}]`;
      case 'validity': {
        if (f.op === 'on') {
          const at = param(f.at, 'timestamptz');
          return `(${col('validity_start')} <= ${at} AND ${col('validity_end')} >= ${at})`;
        }
        return f.op === 'after'
          ? `${col('validity_start')} > ${param(f.at, 'timestamptz')}`
          : `${col('validity_end')} < ${param(f.at, 'timestamptz')}`;
      }
    }
  };
  return { sql: build(filter), params };
}
