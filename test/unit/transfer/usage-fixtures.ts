// Fixtures for the usage-policy unit tests: agreements with Catena-X end dates, in-memory stores, a fake clock.
import { parsePolicyDefinition, pcfUsagePolicy, type Policy } from '../../../policies/index';
import type { ContractAgreementRecord } from '../../../connector/negotiation/negotiation-store';
import type { TenantTx } from '../../../connector/store/database';
import type { TransferProcess } from '../../../connector/transfer/transfer-process';
import type { StoredTransfer } from '../../../connector/transfer/transfer-store';

/** The PCF usage policy plus extra atomic constraints in its `and` list (e.g. a DataUsageEndDate). */
export async function usagePolicyWith(...extra: Record<string, unknown>[]): Promise<Policy> {
  const doc = pcfUsagePolicy({}) as unknown as { policy: { permission: { constraint: { and: unknown[] }[] }[] } };
  doc.policy.permission[0]!.constraint[0]!.and.push(...extra);
  const parsed = await parsePolicyDefinition(doc);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.value.policy;
}

export function agreement(id: string, policy: Policy, signingDate = Date.parse('2025-01-01T00:00:00Z')): ContractAgreementRecord {
  return {
    id, negotiationId: `neg-${id}`, role: 'provider', assetId: 'pcf-exchange', providerId: 'did:web:supplier', consumerId: 'did:web:oem',
    counterPartyId: 'did:web:oem', counterPartyBpn: 'BPNL000000000OEM', signingDate, policy, createdAt: signingDate,
  };
}

export function startedTransfer(tenantId: string, id: string, agreementId: string): StoredTransfer {
  const entity: TransferProcess = {
    id, tenantId, role: 'provider', dialect: '2025-1', counterPartyId: 'did:web:oem', counterPartyAddress: 'https://oem.example/cb',
    consumerPid: `c-${id}`, providerPid: id, agreementId, format: 'HttpData-PULL', state: 'STARTED', stateCount: 1, stateTimestamp: 0, createdAt: 0,
  };
  return { entity, version: 1, extra: {} };
}

/** A database whose transactions only carry the tenant (the fakes below never issue SQL). */
export const fakeDb = {
  withTenant<T>(tenantId: string, fn: (tx: TenantTx) => Promise<T>): Promise<T> {
    return fn({ tenantId, query: () => Promise.reject(new Error('no SQL in this test')), defer: () => { throw new Error('no SQL in this test'); } });
  },
};

/** Agreements per tenant, with a count of reads. */
export function agreementStore(byTenant: Record<string, ContractAgreementRecord[]>) {
  let reads = 0;
  return {
    get reads() { return reads; },
    findAgreement(tx: TenantTx, id: string): Promise<ContractAgreementRecord | undefined> {
      reads += 1;
      return Promise.resolve((byTenant[tx.tenantId] ?? []).find((a) => a.id === id));
    },
  };
}
