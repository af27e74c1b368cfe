// Builds a tenant's DSP catalog for one verified counter-party (access policies), and resolves offers at negotiation.
import { randomUUID } from 'node:crypto';
import { serializePolicy, type Policy, type PolicyEngine } from '../../policies/index';
import { fail, ok, type Result } from '../common/result';
import type { DspDialect } from '../dsp/dialects';
import type { Catalog, DataService, DatasetBody, ExtraProperties, SerializedPolicy } from '../dsp/messages';
import { decodeContractId, encodeContractId } from '../negotiation/contract-ids';
import type { TenantTx } from '../store/database';
import type { CatalogAsset, CatalogContractDefinition, CatalogSource } from './catalog-source';
import { policyContextOf, type Participant } from './participant';

export const EDC_NS = 'https://w3id.org/edc/v0.0.1/ns/';
export const PULL_FORMAT = 'HttpData-PULL';

export interface CatalogServiceDeps {
  readonly source: CatalogSource;
  readonly engine: PolicyEngine;
  readonly now: () => Date;
}

export interface CatalogView {
  /** Our participant id in the dialect (DID; the BPN for DSP 0.8 when known). */
  readonly participantId: string;
  /** Our DSP base for the dialect (the DataService endpoint). */
  readonly dspBase: string;
  readonly dialect: DspDialect;
}

export interface CatalogPage {
  readonly catalog: Catalog<SerializedPolicy>;
  /** Datasets visible in total (for pagination links). */
  readonly total: number;
}

/** A resolved offer: the provider's own offer for an asset under a contract definition. */
export interface ResolvedOffer {
  readonly definitionId: string;
  readonly assetId: string;
  /** The contract (usage) policy as an Offer with the offer id and the asset as target. */
  readonly offer: Policy;
}

export interface CatalogService {
  /** The catalog page `offset`/`limit` of datasets the participant may see (each definition's access policy decides). */
  catalog(tx: TenantTx, participant: Participant, view: CatalogView, page: { readonly offset: number; readonly limit: number }): Promise<CatalogPage>;
  /** One dataset with the offers visible to the participant; not-found when there is none. */
  dataset(tx: TenantTx, participant: Participant, view: CatalogView, assetId: string): Promise<Result<DatasetBody<SerializedPolicy>>>;
  /**
   * The provider's offer behind an offer id seen in the catalog (`base64(def):base64(asset):base64(uuid)`): the definition
   * must exist, its access policy must admit the participant and its selector must pick the asset.
   */
  resolveOffer(tx: TenantTx, participant: Participant, offerId: string): Promise<Result<ResolvedOffer>>;
}

function policyDialect(dialect: DspDialect): 'dsp-2025-1' | 'dsp-2024-1' {
  return dialect === '2025-1' ? 'dsp-2025-1' : 'dsp-2024-1';
}

function expandedValue(value: unknown): unknown[] | undefined {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return [{ '@value': value }];
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as Record<string, unknown>)['@id'] === 'string') return [value];
  return undefined;
}

/** Asset properties as dataset extras: absolute IRIs kept, EDC local names put in the EDC namespace. */
export function datasetProperties(asset: CatalogAsset): ExtraProperties {
  const out: Record<string, unknown[]> = { [`${EDC_NS}id`]: [{ '@value': asset.id }] };
  for (const [key, value] of Object.entries(asset.properties)) {
    if (key.startsWith('@')) continue;
    const iri = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(key) ? key : `${EDC_NS}${key.replace(/^edc:/, '')}`;
    const v = expandedValue(value);
    if (v !== undefined) out[iri] = v;
  }
  return out;
}

export function createCatalogService(deps: CatalogServiceDeps): CatalogService {
  const { source, engine } = deps;

  async function admits(tx: TenantTx, participant: Participant, def: CatalogContractDefinition): Promise<Policy | undefined> {
    const access = await source.policy(tx, def.accessPolicyId);
    const contract = await source.policy(tx, def.contractPolicyId);
    if (access === undefined || contract === undefined) return undefined;
    const verdict = engine.evaluate(access, 'catalog', policyContextOf(participant, deps.now()));
    return verdict.allowed ? contract : undefined;
  }

  function offerOf(contract: Policy, defId: string, assetId: string, view: CatalogView): SerializedPolicy {
    const { target: _t, assignee: _a, timestamp: _ts, ...rest } = contract;
    void _t; void _a; void _ts;
    const offer: Policy = { ...rest, type: 'Offer', id: encodeContractId(defId, assetId, randomUUID()), assigner: view.participantId };
    return serializePolicy(offer, policyDialect(view.dialect));
  }

  function service(view: CatalogView): DataService {
    return { id: `${view.dspBase}#dsp`, endpointURL: view.dspBase };
  }

  async function visible(tx: TenantTx, participant: Participant, view: CatalogView, onlyAsset?: string): Promise<DatasetBody<SerializedPolicy>[]> {
    const datasets = new Map<string, { asset: CatalogAsset; offers: SerializedPolicy[] }>();
    const svc = service(view);
    for (const def of await source.contractDefinitions(tx)) {
      const contract = await admits(tx, participant, def);
      if (contract === undefined) continue;
      for (const asset of await source.assetsOf(tx, def)) {
        if (onlyAsset !== undefined && asset.id !== onlyAsset) continue;
        const entry = datasets.get(asset.id) ?? { asset, offers: [] };
        entry.offers.push(offerOf(contract, def.id, asset.id, view));
        datasets.set(asset.id, entry);
      }
    }
    return [...datasets.values()].map(({ asset, offers }) => ({
      id: asset.id,
      hasPolicy: offers,
      distribution: [{ format: PULL_FORMAT, accessService: svc.id }],
      properties: datasetProperties(asset),
    }));
  }

  return {
    async catalog(tx, participant, view, page) {
      const all = await visible(tx, participant, view);
      return {
        total: all.length,
        catalog: {
          type: 'Catalog',
          id: `urn:catalog:${tx.tenantId}`,
          participantId: view.participantId,
          dataset: all.slice(page.offset, page.offset + page.limit),
          service: [service(view)],
        },
      };
    },

    async dataset(tx, participant, view, assetId) {
      const [found] = await visible(tx, participant, view, assetId);
      return found === undefined ? fail('not-found', `dataset ${assetId} not found`) : ok(found);
    },

    async resolveOffer(tx, participant, offerId) {
      const parts = decodeContractId(offerId);
      if (!parts.ok) return fail('bad-request', `unknown offer ${offerId}`);
      const def = await source.contractDefinition(tx, parts.value.definitionId);
      if (def === undefined) return fail('bad-request', `unknown offer ${offerId}`);
      const contract = await admits(tx, participant, def);
      if (contract === undefined) return fail('bad-request', `unknown offer ${offerId}`);
      const assets = await source.assetsOf(tx, def);
      if (!assets.some((a) => a.id === parts.value.assetId)) return fail('bad-request', `unknown offer ${offerId}`);
      return ok({
        definitionId: def.id,
        assetId: parts.value.assetId,
        offer: { ...contract, type: 'Offer', id: offerId, target: parts.value.assetId },
      });
    },
  };
}
