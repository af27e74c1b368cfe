// Tests: Validation of a tenant's AWS credential settings.
import { cognitoIssuer, cognitoJwksUrl, cognitoTokenEndpoint, validateAwsTenantSettings } from '../../../connector/credentials/aws/tenant-settings';

const valid = {
  region: 'eu-central-1',
  roleArn: 'arn:aws:iam::123456789012:role/pcf-tenant-a',
  externalId: 'ext-123',
  secretId: 'pcf/tenants/tenant-a/cognito-client',
  cognito: { userPoolId: 'eu-central-1_AbC123', domain: 'pcf-pool', clientId: '1example23456789tenanta', scope: 'pcf-exchange/tenant-a/footprints.read', tokenMode: 'token-endpoint' },
};

describe('validateAwsTenantSettings', () => {
  it('accepts valid settings and freezes them', () => {
    const r = validateAwsTenantSettings('tenant-a', valid);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(Object.isFrozen(r.value)).toBe(true);
    expect(cognitoIssuer(r.value)).toBe('https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_AbC123');
    expect(cognitoJwksUrl(r.value)).toBe('https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_AbC123/.well-known/jwks.json');
    expect(cognitoTokenEndpoint(r.value)).toBe('https://pcf-pool.auth.eu-central-1.amazoncognito.com/oauth2/token');
  });

  it('accepts a secret ARN in the same region under the tenant path', () => {
    const r = validateAwsTenantSettings('tenant-a', { ...valid, secretId: 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:pcf/tenants/tenant-a/cognito-client-AbCdEf' });
    expect(r.ok).toBe(true);
  });

  it.each([
    ['region', { ...valid, region: 'Frankfurt' }, 'region'],
    ['role ARN', { ...valid, roleArn: 'arn:aws:iam::123:user/x' }, 'roleArn'],
    ['secret of another tenant', { ...valid, secretId: 'pcf/tenants/tenant-b/cognito-client' }, 'secretId'],
    ['secret ARN in another region', { ...valid, secretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:pcf/tenants/tenant-a/x' }, 'another region'],
    ['pool in another region', { ...valid, cognito: { ...valid.cognito, userPoolId: 'us-east-1_AbC123' } }, 'userPoolId'],
    ['token-endpoint without domain', { ...valid, cognito: { ...valid.cognito, domain: undefined } }, 'domain'],
    ['bad token mode', { ...valid, cognito: { ...valid.cognito, tokenMode: 'password' } }, 'tokenMode'],
    ['client id with illegal characters', { ...valid, cognito: { ...valid.cognito, clientId: 'client-a' } }, 'clientId'],
    ['bad scope', { ...valid, cognito: { ...valid.cognito, scope: 'no-slash' } }, 'scope'],
    ['unknown key', { ...valid, accessKey: 'x' }, 'unknown setting'],
    ['missing cognito', { ...valid, cognito: undefined }, 'cognito'],
  ])('rejects %s', (_name, input, fragment) => {
    const r = validateAwsTenantSettings('tenant-a', input);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toBe('bad-request');
      expect(r.message).toContain(fragment);
    }
  });

  it('allows get-client-token without a domain and rejects non-objects', () => {
    expect(validateAwsTenantSettings('tenant-a', { ...valid, cognito: { ...valid.cognito, domain: undefined, tokenMode: 'get-client-token' } }).ok).toBe(true);
    expect(validateAwsTenantSettings('tenant-a', 'x').ok).toBe(false);
    expect(validateAwsTenantSettings('bad|tenant', valid).ok).toBe(false);
  });
});
