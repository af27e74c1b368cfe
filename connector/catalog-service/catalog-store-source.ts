// The production CatalogSource: reads the tenant's assets, policy and contract definitions from the catalog SQL stores.
import type { Policy } from '../../policies/index';
import type { Asset, AssetStore, ContractDefinition, ContractDefinitionStore, PolicyDefinitionStore } from '../catalog/index';
import { createChangeFeedCache, type ChangeFeedCache, type Sized } from '../store/change-feed-cache';
import type { Database, TenantTx } from '../store/database';
import { selectAssets } from '../catalog/index';
import { querySpec, MAX_LIMIT } from '../management/query-spec';
import type { CatalogSource } from './catalog-source';

export interface CatalogStores {
  readonly assets: AssetStore;
  readonly policies: PolicyDefinitionStore;
  readonly contractDefinitions: ContractDefinitionStore;
}

/** The channel the catalog tables notify on every committed change (migration 0410). */
export const CATALOG_CHANGED_CHANNEL = 'pcf_catalog_changed';

/** A catalog read kept across transactions, with a rough size for the byte budget. */
export interface CatalogCacheEntry extends Sized {
  readonly value: unknown;
}

/** Per-tenant catalog reads (definitions, policies, assets), dropped by the catalog change feed. */
export type CatalogCache = ChangeFeedCache<CatalogCacheEntry>;

export function createCatalogCache(db: Pick<Database, 'listen'>, maxBytes = 16 * 1024 * 1024): CatalogCache {
  return createChangeFeedCache<CatalogCacheEntry>(db, { channel: CATALOG_CHANGED_CHANNEL, maxBytes });
}

/** What one transaction has already read, so a request that consults the catalog several times reads each row once. */
interface TransactionReads {
  definitions?: Promise<ContractDefinition[]>;
  readonly definitionById: Map<string, Promise<ContractDefinition | undefined>>;
  readonly policyById: Map<string, Promise<Policy | undefined>>;
  assets?: Promise<Asset[]>;
}

/**
 * Adapts the stores; contract definitions and assets are read whole (catalogs are small per tenant; see docs). Reads
 * are remembered for the rest of their transaction (keyed by the transaction object) and, with `cache`, across
 * transactions until the tenant's catalog changes (the change feed, or `cache.invalidate` after this process's writes).
 * Cached values are shared between requests and must not be modified.
 */
export function createStoreCatalogSource(stores: CatalogStores, cache?: CatalogCache): CatalogSource {
  const shared = async <T>(tx: TenantTx, key: string, bytes: (v: T) => number, load: () => Promise<T | undefined>): Promise<T | undefined> => {
    if (cache === undefined) return load();
    const entry = await cache.getOrLoad(tx.tenantId, key, async () => {
      const value = await load();
      return value === undefined ? undefined : { value, bytes: bytes(value) };
    });
    return entry?.value as T | undefined;
  };
  const reads = new WeakMap<TenantTx, TransactionReads>();
  const of = (tx: TenantTx): TransactionReads => {
    let r = reads.get(tx);
    if (r === undefined) {
      r = { definitionById: new Map(), policyById: new Map() };
      reads.set(tx, r);
    }
    return r;
  };
  const once = <K, V>(map: Map<K, Promise<V>>, key: K, load: () => Promise<V>): Promise<V> => {
    let p = map.get(key);
    if (p === undefined) {
      p = load();
      map.set(key, p);
    }
    return p;
  };
  const definitions = (tx: TenantTx): Promise<ContractDefinition[]> => {
    const r = of(tx);
    r.definitions ??= shared<ContractDefinition[]>(tx, 'definitions', (v) => 512 * (v.length + 1), async () => {
      const l = await stores.contractDefinitions.list(tx, querySpec({ limit: MAX_LIMIT }));
      if (!l.ok) throw new Error(`listing contract definitions failed: ${l.message}`);
      return l.value;
    }).then((v) => v ?? []);
    return r.definitions;
  };
  const definition = (tx: TenantTx, id: string): Promise<ContractDefinition | undefined> => {
    const r = of(tx);
    if (r.definitions !== undefined || cache !== undefined) return definitions(tx).then((all) => all.find((d) => d.id === id));
    return once(r.definitionById, id, async () => {
      const d = await stores.contractDefinitions.get(tx, id);
      return d.ok ? d.value : undefined;
    });
  };
  return {
    contractDefinitions: definitions,
    contractDefinition: definition,
    policy(tx, id) {
      return once(of(tx).policyById, id, () => shared<Policy>(tx, `policy\u0000${id}`, () => 2048, async () => {
        const r = await stores.policies.get(tx, id);
        return r.ok ? r.value.policy : undefined;
      }));
    },
    async assetsOf(tx, wanted) {
      const def = await definition(tx, wanted.id);
      if (def === undefined) return [];
      const r = of(tx);
      r.assets ??= shared<Asset[]>(tx, 'assets', (v) => 1024 * (v.length + 1), async () => {
        const l = await stores.assets.list(tx, querySpec({ limit: MAX_LIMIT }));
        if (!l.ok) throw new Error(`listing assets failed: ${l.message}`);
        return l.value;
      }).then((v) => v ?? []);
      return (await r.assets).filter((a) => selectAssets(def.assetsSelector, a)).map((a) => ({ id: a.id, properties: a.properties }));
    },
  };
}
