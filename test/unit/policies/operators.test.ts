// Every ODRL operator: the cases where it holds and where it does not.
import { applyOperator } from '../../../policies';
import type { Literal, Operator, Scalar } from '../../../policies';

const lits = (...v: Scalar[]): Literal[] => v.map((value) => ({ value }));
const holds = (op: Operator, left: (Scalar | Date)[], right: Literal[]): boolean => applyOperator(op, left, right).holds;

describe('applyOperator', () => {
  it('eq / neq compare values, numbers and numeric strings alike, sets order-insensitively', () => {
    expect(holds('eq', ['active'], lits('active'))).toBe(true);
    expect(holds('eq', ['inactive'], lits('active'))).toBe(false);
    expect(holds('eq', [5], lits('5'))).toBe(true);
    expect(holds('eq', ['5.0'], [{ value: '5', datatype: 'http://www.w3.org/2001/XMLSchema#integer' }])).toBe(true);
    expect(holds('eq', ['a', 'b'], lits('b', 'a'))).toBe(true);
    expect(holds('eq', ['a'], lits('a', 'b'))).toBe(false);
    expect(holds('neq', ['a'], lits('b'))).toBe(true);
    expect(holds('neq', ['a'], lits('a'))).toBe(false);
  });

  it('gt / gteq / lt / lteq order numbers and dates', () => {
    expect(holds('gt', [10], lits(5))).toBe(true);
    expect(holds('gt', [5], lits(5))).toBe(false);
    expect(holds('gteq', [5], lits('5'))).toBe(true);
    expect(holds('gteq', [4], lits(5))).toBe(false);
    expect(holds('lt', [new Date('2025-01-01T00:00:00Z')], lits('2025-06-01T00:00:00Z'))).toBe(true);
    expect(holds('lt', [new Date('2025-07-01T00:00:00Z')], lits('2025-06-01T00:00:00Z'))).toBe(false);
    expect(holds('lteq', ['2025-06-01T00:00:00Z'], lits('2025-06-01T02:00:00+02:00'))).toBe(true);
    expect(holds('lteq', [6], lits(5))).toBe(false);
  });

  it('ordering operators report values that cannot be ordered', () => {
    const out = applyOperator('gt', ['gold'], lits('silver'));
    expect(out.holds).toBe(false);
    expect(out.problem).toContain('not comparable');
    expect(applyOperator('lt', [1, 2], lits(3)).problem).toContain('exactly one value');
  });

  it('isAnyOf holds when some observed value is listed', () => {
    expect(holds('isAnyOf', ['b'], lits('a', 'b'))).toBe(true);
    expect(holds('isAnyOf', ['x', 'a'], lits('a'))).toBe(true);
    expect(holds('isAnyOf', ['c'], lits('a', 'b'))).toBe(false);
    expect(holds('isAnyOf', [], lits('a'))).toBe(false);
  });

  it('isNoneOf holds when no observed value is listed', () => {
    expect(holds('isNoneOf', ['c'], lits('a', 'b'))).toBe(true);
    expect(holds('isNoneOf', [], lits('a'))).toBe(true);
    expect(holds('isNoneOf', ['a'], lits('a', 'b'))).toBe(false);
  });

  it('isAllOf and hasPart hold when every listed value is observed', () => {
    expect(holds('isAllOf', ['a', 'b', 'c'], lits('a', 'b'))).toBe(true);
    expect(holds('isAllOf', ['a'], lits('a', 'b'))).toBe(false);
    expect(holds('hasPart', ['x', 'y'], lits('y'))).toBe(true);
    expect(holds('hasPart', ['x'], lits('y'))).toBe(false);
  });

  it('isPartOf (EDC IN) holds when every observed value is listed', () => {
    expect(holds('isPartOf', ['a'], lits('a', 'b'))).toBe(true);
    expect(holds('isPartOf', ['a', 'c'], lits('a', 'b'))).toBe(false);
    expect(holds('isPartOf', [], lits('a'))).toBe(false);
  });

  it('isA holds when an observed class equals the right operand', () => {
    expect(holds('isA', ['MembershipCredential', 'VerifiableCredential'], lits('MembershipCredential'))).toBe(true);
    expect(holds('isA', ['VerifiableCredential'], lits('MembershipCredential'))).toBe(false);
  });
});
