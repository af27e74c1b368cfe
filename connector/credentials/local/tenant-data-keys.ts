// Per-tenant data keys: created on first use, stored wrapped by the master key, unwrapped in memory per wrapped blob.
import type { TenantTx } from '../../store/database';
import { findDataKey, insertDataKey } from './credential-repository';
import { generateDataKey, type MasterKey } from './envelope-crypto';

export interface TenantDataKeys {
  /** The tenant's data key (created inside `tx` on first use). Throws when it was wrapped by another master key. */
  dataKey(tx: TenantTx): Promise<Buffer>;
  /** Forgets unwrapped keys of `tenantId` held in memory. */
  forget(tenantId: string): void;
}

export function createTenantDataKeys(masterKey: MasterKey, now: () => Date): TenantDataKeys {
  const unwrapped = new Map<string, { wrapped: string; key: Buffer }>();
  return {
    async dataKey(tx) {
      let row = await findDataKey(tx);
      if (row === undefined) {
        await insertDataKey(tx, { masterKeyId: masterKey.id, wrappedKey: masterKey.wrap(generateDataKey(), tx.tenantId) }, now());
        row = await findDataKey(tx);
        if (row === undefined) throw new Error('credentials: tenant data key could not be created');
      }
      const cached = unwrapped.get(tx.tenantId);
      if (cached !== undefined && cached.wrapped === row.wrappedKey) return cached.key;
      if (row.masterKeyId !== masterKey.id) throw new Error('credentials: tenant data key was wrapped by a different master key');
      const key = masterKey.unwrap(row.wrappedKey, tx.tenantId);
      unwrapped.set(tx.tenantId, { wrapped: row.wrappedKey, key });
      return key;
    },
    forget(tenantId) {
      unwrapped.delete(tenantId);
    },
  };
}
