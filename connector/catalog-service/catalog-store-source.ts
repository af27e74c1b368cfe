// The production CatalogSource: reads the tenant's assets, policy and contract definitions from the catalog SQL stores.
import type { AssetStore, ContractDefinitionStore, PolicyDefinitionStore } from '../catalog/index';
import { selectAssets } from '../catalog/index';
import { querySpec, MAX_LIMIT } from '../management/query-spec';
import type { CatalogSource } from './catalog-source';

export interface CatalogStores {
  readonly assets: AssetStore;
  readonly policies: PolicyDefinitionStore;
  readonly contractDefinitions: ContractDefinitionStore;
}

/** Adapts the stores; contract definitions and assets are read whole (catalogs are small per tenant; see docs). */
export function createStoreCatalogSource(stores: CatalogStores): CatalogSource {
  return {
    async contractDefinitions(tx) {
      const r = await stores.contractDefinitions.list(tx, querySpec({ limit: MAX_LIMIT }));
      if (!r.ok) throw new Error(`listing contract definitions failed: ${r.message}`);
      return r.value;
    },
    async contractDefinition(tx, id) {
      const r = await stores.contractDefinitions.get(tx, id);
      return r.ok ? r.value : undefined;
    },
    async policy(tx, id) {
      const r = await stores.policies.get(tx, id);
      return r.ok ? r.value.policy : undefined;
    },
    async assetsOf(tx, definition) {
      const def = await stores.contractDefinitions.get(tx, definition.id);
      if (!def.ok) return [];
      const r = await stores.assets.list(tx, querySpec({ limit: MAX_LIMIT }));
      if (!r.ok) throw new Error(`listing assets failed: ${r.message}`);
      return r.value.filter((a) => selectAssets(def.value.assetsSelector, a)).map((a) => ({ id: a.id, properties: a.properties }));
    },
  };
}
