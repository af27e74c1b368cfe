import { issueApiKey, parseApiKey, secretMatches } from '../../../connector/tenancy/api-keys';
import { roleFromClaim } from '../../../connector/tenancy/management-authorizer';

describe('API keys', () => {
  it('carry their tenant and key id; only the hash of the secret is kept', () => {
    const issued = issueApiKey('acme-gmbh');
    const parsed = parseApiKey(issued.key);
    expect(parsed).toMatchObject({ tenantId: 'acme-gmbh', keyId: issued.id });
    expect(issued.secretHash).not.toContain(parsed?.secret ?? '');
    expect(secretMatches(parsed?.secret ?? '', issued.secretHash)).toBe(true);
    expect(secretMatches(`${parsed?.secret.slice(0, -1)}x`, issued.secretHash)).toBe(false);
  });

  it('refuses anything that is not one of our keys', () => {
    for (const bad of ['', 'pcfk_', 'pcfk_Acme_0123456789abcdef_' + 'a'.repeat(43), 'pcfk_acme_0123_' + 'a'.repeat(43), `pcfk_acme_0123456789abcdef_${'a'.repeat(42)}`]) {
      expect(parseApiKey(bad)).toBeUndefined();
    }
  });
});

describe('roles from the groups claim', () => {
  it('takes the highest role, plain or prefixed with the tenant', () => {
    expect(roleFromClaim(['viewer', 'admin'], 't1')).toBe('admin');
    expect(roleFromClaim(['t1:publisher', 't2:admin'], 't1')).toBe('publisher');
    expect(roleFromClaim('viewer publisher', 't1')).toBe('publisher');
    expect(roleFromClaim(['superuser', 42], 't1')).toBeUndefined();
    expect(roleFromClaim(undefined, 't1')).toBeUndefined();
  });
});
