// Per-tenant data keys: created on first use, stored wrapped by the master key, unwrapped in memory and reused for a while.
import type { TenantTx } from '../../store/database';
import { findDataKey, insertDataKey } from './credential-repository';
import { generateDataKey, type MasterKey } from './envelope-crypto';

export interface TenantDataKeys {
  /** The tenant's data key (created inside `tx` on first use). Throws when it was wrapped by another master key. */
  dataKey(tx: TenantTx): Promise<Buffer>;
  /** Forgets unwrapped keys of `tenantId` held in memory. */
  forget(tenantId: string): void;
}

/**
 * `cacheMs`: how long an unwrapped key is used without reading its row again. A tenant's data key changes only when the
 * tenant is erased (its row deleted) and created anew; erasure in this process forgets the key at once, erasure on
 * another replica is seen after `cacheMs` (until then a secret sealed here fails to open there, loudly).
 */
export function createTenantDataKeys(masterKey: MasterKey, now: () => Date, cacheMs = 60_000): TenantDataKeys {
  const unwrapped = new Map<string, { wrapped: string; key: Buffer; until: number }>();
  return {
    async dataKey(tx) {
      const held = unwrapped.get(tx.tenantId);
      if (held !== undefined && held.until > now().getTime()) return held.key;
      let row = await findDataKey(tx);
      if (row === undefined) {
        await insertDataKey(tx, { masterKeyId: masterKey.id, wrappedKey: masterKey.wrap(generateDataKey(), tx.tenantId) }, now());
        row = await findDataKey(tx);
        if (row === undefined) throw new Error('credentials: tenant data key could not be created');
      }
      const until = now().getTime() + cacheMs;
      if (held !== undefined && held.wrapped === row.wrappedKey) {
        unwrapped.set(tx.tenantId, { ...held, until });
        return held.key;
      }
      if (row.masterKeyId !== masterKey.id) throw new Error('credentials: tenant data key was wrapped by a different master key');
      const key = masterKey.unwrap(row.wrappedKey, tx.tenantId);
      unwrapped.set(tx.tenantId, { wrapped: row.wrappedKey, key, until });
      return key;
    },
    forget(tenantId) {
      unwrapped.delete(tenantId);
    },
  };
}
