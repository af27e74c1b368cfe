// PACT decimal strings ↔ JSON numbers, and the instant arithmetic shared by validation, index fields and conversion.

const DECIMAL = /^[+-]?\d+(\.\d+)?$/;

/** True when `value` is a PACT decimal string (`^[+-]?\d+(\.\d+)?$`). */
export function isDecimalString(value: unknown): value is string {
  return typeof value === 'string' && DECIMAL.test(value);
}

/** A finite JSON number written as a PACT decimal string, never in exponent notation (1e-7 → "0.0000001"). */
export function numberToDecimal(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`not a finite number: ${n}`);
  const plain = String(n);
  if (!/e/i.test(plain)) return plain;
  const [mantissa, expPart] = plain.toLowerCase().split('e');
  const exp = Number(expPart);
  const negative = mantissa.startsWith('-');
  const [intDigits, fracDigits = ''] = mantissa.replace('-', '').split('.');
  const digits = intDigits + fracDigits;
  const point = intDigits.length + exp;
  let out: string;
  if (point <= 0) out = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) out = digits + '0'.repeat(point - digits.length);
  else out = `${digits.slice(0, point)}.${digits.slice(point)}`;
  out = out.replace(/^0+(?=\d)/, '');
  if (out.includes('.')) out = out.replace(/\.?0+$/, '');
  return negative && out !== '0' ? `-${out}` : out;
}

/** The number a PACT decimal string denotes (precision of a JS double). */
export function decimalToNumber(value: string): number {
  return Number(value);
}

/** Milliseconds since the epoch of an RFC 3339 date-time, or NaN. */
export function instantMs(value: unknown): number {
  return typeof value === 'string' ? Date.parse(value) : NaN;
}

/** Normalised UTC ISO form (`2024-01-01T00:00:00.000Z`) of a date-time string; throws on an unparsable value. */
export function toIsoInstant(value: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new RangeError(`not a date-time: ${value}`);
  return new Date(ms).toISOString();
}

/** `iso` plus `years` calendar years (UTC), as a normalised ISO instant. */
export function addYears(iso: string, years: number): string {
  const d = new Date(Date.parse(iso));
  d.setUTCFullYear(d.getUTCFullYear() + years);
  return d.toISOString();
}
