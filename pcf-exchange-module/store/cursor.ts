// Opaque keyset-pagination cursor over the (created, id) order of the footprints table.

export interface FootprintCursor {
  /** ISO instant of the last item's `created`. */
  readonly created: string;
  /** Lower-case UUID of the last item. */
  readonly id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function encodeCursor(c: FootprintCursor): string {
  return Buffer.from(JSON.stringify([c.created, c.id]), 'utf8').toString('base64url');
}

/** The cursor, or undefined when the string is not one this module produced. */
export function decodeCursor(s: string): FootprintCursor | undefined {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(s)) return undefined;
  try {
    const v = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as unknown;
    if (!Array.isArray(v) || v.length !== 2) return undefined;
    const [created, id] = v as unknown[];
    if (typeof created !== 'string' || typeof id !== 'string' || !UUID.test(id) || Number.isNaN(Date.parse(created))) return undefined;
    return { created, id };
  } catch {
    return undefined;
  }
}
