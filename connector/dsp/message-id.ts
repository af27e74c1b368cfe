// A stable fingerprint of a typed DSP message, used as the "last processed message id" for replay detection.
import { createHash } from 'node:crypto';

function stable(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stable(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** SHA-256 (hex) of the message's canonical JSON: equal for the same message in any serialization of one dialect. */
export function dspMessageFingerprint(message: { readonly type: string }): string {
  return createHash('sha256').update(stable(message)).digest('hex');
}
