// Tests: agreements kept in memory per tenant, the least recently stored going first.
import { createAgreementCopies } from '../../../connector/negotiation/agreement-copies';
import type { ContractAgreementRecord } from '../../../connector/negotiation/negotiation-store';

const agreement = (id: string): ContractAgreementRecord => ({
  id, negotiationId: `n-${id}`, role: 'provider', assetId: 'asset', providerId: 'did:web:p', consumerId: 'did:web:c', counterPartyId: 'did:web:c',
  signingDate: 1, policy: { '@type': 'Agreement', permission: [], prohibition: [], obligation: [] } as unknown as ContractAgreementRecord['policy'], createdAt: 1,
});

describe('agreement copies', () => {
  it('answers per tenant and id, holds at most maxEntries (dropping the least recently stored), and forgets an erased tenant', () => {
    const copies = createAgreementCopies(2);
    copies.remember('t1', agreement('a'));
    copies.remember('t1', agreement('b'));
    expect(copies.get('t1', 'a')?.negotiationId).toBe('n-a');
    expect(copies.get('t2', 'a')).toBeUndefined();
    copies.remember('t1', agreement('a'));
    copies.remember('t1', agreement('c'));
    expect(copies.count()).toBe(2);
    expect(copies.get('t1', 'b')).toBeUndefined();
    expect(copies.get('t1', 'a')).toBeDefined();
    expect(copies.get('t1', 'c')).toBeDefined();
    copies.remember('t10', agreement('a'));
    copies.forgetTenant('t1');
    expect(copies.count()).toBe(1);
    expect(copies.get('t10', 'a')).toBeDefined();
  });
});
