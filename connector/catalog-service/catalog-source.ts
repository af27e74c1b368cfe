// What the catalog needs from the tenant's catalog data (assets, policy and contract definitions), plus an in-memory source.
import type { Policy } from '../../policies/index';
import type { TenantTx } from '../store/database';

export interface CatalogAsset {
  readonly id: string;
  /** Public asset properties (shown in the catalog), keyed by IRI or EDC local name. */
  readonly properties: Readonly<Record<string, unknown>>;
}

export interface CatalogContractDefinition {
  readonly id: string;
  readonly accessPolicyId: string;
  readonly contractPolicyId: string;
  /** Provider-only settings of the definition (e.g. `manualApproval`), keyed by IRI; never shown in catalogs. */
  readonly privateProperties?: Readonly<Record<string, unknown>>;
}

/** Read access to one tenant's catalog data inside its transaction (implemented over the catalog stores). */
export interface CatalogSource {
  /** Every contract definition of the transaction's tenant, in a stable order. */
  contractDefinitions(tx: TenantTx): Promise<readonly CatalogContractDefinition[]>;
  /** One contract definition, or undefined. */
  contractDefinition(tx: TenantTx, id: string): Promise<CatalogContractDefinition | undefined>;
  /** The policy of a policy definition, or undefined. */
  policy(tx: TenantTx, policyId: string): Promise<Policy | undefined>;
  /** The assets a contract definition's selector picks, in a stable order. */
  assetsOf(tx: TenantTx, definition: CatalogContractDefinition): Promise<readonly CatalogAsset[]>;
}

export interface InMemoryCatalogData {
  readonly assets: CatalogAsset[];
  readonly policies: Map<string, Policy>;
  /** Definitions with the asset ids they select. */
  readonly definitions: (CatalogContractDefinition & { readonly assetIds: readonly string[] })[];
}

/** A CatalogSource over plain per-tenant data (embedded demos and tests; the production source wraps the SQL stores). */
export function createInMemoryCatalogSource(data: ReadonlyMap<string, InMemoryCatalogData>): CatalogSource {
  const of = (tx: TenantTx): InMemoryCatalogData | undefined => data.get(tx.tenantId);
  return {
    async contractDefinitions(tx) {
      return of(tx)?.definitions ?? [];
    },
    async contractDefinition(tx, id) {
      return of(tx)?.definitions.find((d) => d.id === id);
    },
    async policy(tx, id) {
      return of(tx)?.policies.get(id);
    },
    async assetsOf(tx, definition) {
      const d = of(tx);
      const def = d?.definitions.find((x) => x.id === definition.id);
      if (d === undefined || def === undefined) return [];
      return d.assets.filter((a) => def.assetIds.includes(a.id));
    },
  };
}
