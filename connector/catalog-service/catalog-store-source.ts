// The production CatalogSource: reads the tenant's assets, policy and contract definitions from the catalog SQL stores.
import type { Policy } from '../../policies/index';
import type { Asset, AssetStore, ContractDefinition, ContractDefinitionStore, PolicyDefinitionStore } from '../catalog/index';
import type { TenantTx } from '../store/database';
import { selectAssets } from '../catalog/index';
import { querySpec, MAX_LIMIT } from '../management/query-spec';
import type { CatalogSource } from './catalog-source';

export interface CatalogStores {
  readonly assets: AssetStore;
  readonly policies: PolicyDefinitionStore;
  readonly contractDefinitions: ContractDefinitionStore;
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
 * are remembered for the rest of their transaction only (keyed by the transaction object), never across transactions.
 */
export function createStoreCatalogSource(stores: CatalogStores): CatalogSource {
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
    r.definitions ??= stores.contractDefinitions.list(tx, querySpec({ limit: MAX_LIMIT })).then((l) => {
      if (!l.ok) throw new Error(`listing contract definitions failed: ${l.message}`);
      return l.value;
    });
    return r.definitions;
  };
  const definition = (tx: TenantTx, id: string): Promise<ContractDefinition | undefined> => {
    const r = of(tx);
    if (r.definitions !== undefined) return r.definitions.then((all) => all.find((d) => d.id === id));
    return once(r.definitionById, id, async () => {
      const d = await stores.contractDefinitions.get(tx, id);
      return d.ok ? d.value : undefined;
    });
  };
  return {
    contractDefinitions: definitions,
    contractDefinition: definition,
    policy(tx, id) {
      return once(of(tx).policyById, id, async () => {
        const r = await stores.policies.get(tx, id);
        return r.ok ? r.value.policy : undefined;
      });
    },
    async assetsOf(tx, wanted) {
      const def = await definition(tx, wanted.id);
      if (def === undefined) return [];
      const r = of(tx);
      r.assets ??= stores.assets.list(tx, querySpec({ limit: MAX_LIMIT })).then((l) => {
        if (!l.ok) throw new Error(`listing assets failed: ${l.message}`);
        return l.value;
      });
      return (await r.assets).filter((a) => selectAssets(def.assetsSelector, a)).map((a) => ({ id: a.id, properties: a.properties }));
    },
  };
}
