// Unit: numbers as PACT decimal strings (no exponent notation).
import { addYears, isDecimalString, numberToDecimal } from '../../../pcf-exchange-module/model/decimal';

describe('numberToDecimal', () => {
  it.each([
    [0, '0'], [1, '1'], [-1.5, '-1.5'], [100, '100'], [1e21, '1000000000000000000000'], [1.5e-7, '0.00000015'],
    [-2.5e-10, '-0.00000000025'], [1.2345e25, '12345000000000000000000000'], [56.12, '56.12'],
  ])('%p → %s', (n, s) => {
    expect(numberToDecimal(n)).toBe(s);
    expect(isDecimalString(numberToDecimal(n))).toBe(true);
    expect(Number(s)).toBe(n);
  });

  it('refuses non-finite numbers and recognises decimal strings', () => {
    expect(() => numberToDecimal(Number.NaN)).toThrow(RangeError);
    expect(isDecimalString('1e5')).toBe(false);
    expect(isDecimalString('+0.5')).toBe(true);
    expect(isDecimalString('.5')).toBe(false);
  });

  it('adds calendar years in UTC', () => {
    expect(addYears('2024-02-29T00:00:00.000Z', 3)).toBe('2027-03-01T00:00:00.000Z');
  });
});
