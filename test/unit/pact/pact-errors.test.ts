// Unit: PACT error statuses and bodies per API version.
import { pactError, pactErrorForFailure, pactTokenError } from '../../../pcf-exchange-module/api/pact-errors';
import { fail } from '../../../connector/common/result';
import { readSpecJson } from '../../conformance/pact/spec-examples';

describe('pactError', () => {
  it.each([
    ['2', 'AccessDenied', 403, 'AccessDenied'],
    ['2', 'BadRequest', 400, 'BadRequest'],
    ['2', 'NoSuchFootprint', 404, 'NoSuchFootprint'],
    ['2', 'NotFound', 404, 'NoSuchFootprint'],
    ['2', 'NotImplemented', 400, 'NotImplemented'],
    ['2', 'TokenExpired', 401, 'TokenExpired'],
    ['2', 'InternalError', 500, 'InternalError'],
    ['3', 'AccessDenied', 403, 'AccessDenied'],
    ['3', 'BadRequest', 400, 'BadRequest'],
    ['3', 'NoSuchFootprint', 404, 'NotFound'],
    ['3', 'NotFound', 404, 'NotFound'],
    ['3', 'NotImplemented', 501, 'NotImplemented'],
    ['3', 'TokenExpired', 401, 'TokenExpired'],
    ['3', 'InternalError', 500, 'InternalError'],
  ] as const)('v%s %s → %d %s', (version, code, status, wireCode) => {
    const r = pactError(version, code, 'why');
    expect(r).toEqual({ status, body: { code: wireCode, message: 'why' } });
  });

  it('uses the spec example body for AccessDenied by default', () => {
    expect(pactError('2', 'AccessDenied').body).toEqual(readSpecJson('pact', 'v2', 'examples', 'error-response-access-denied.json'));
    expect(pactError('3', 'AccessDenied').body).toEqual(readSpecJson('pact', 'v3', 'examples', 'error-response-access-denied.json'));
  });

  it('answers rejected tokens per version', () => {
    expect(pactTokenError('2', false).status).toBe(400);
    expect(pactTokenError('3', false)).toEqual({ status: 401, body: expect.objectContaining({ code: 'BadRequest' }) });
    expect(pactTokenError('3', true).body.code).toBe('TokenExpired');
  });

  it('maps service failures', () => {
    expect(pactErrorForFailure('2', fail('not-found', 'x')).body.code).toBe('NoSuchFootprint');
    expect(pactErrorForFailure('3', fail('not-found', 'x')).status).toBe(404);
    expect(pactErrorForFailure('3', fail('forbidden', 'x')).status).toBe(403);
    expect(pactErrorForFailure('2', fail('conflict', 'x')).status).toBe(400);
  });
});
