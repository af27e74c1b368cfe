// Types for the one internal helper of node-postgres the store uses: the parameter text pg itself would send.
declare module 'pg/lib/utils' {
  /** What node-postgres sends for a query parameter: null, a Buffer (bytea), or its text form. */
  export function prepareValue(value: unknown): string | Buffer | null;
}
