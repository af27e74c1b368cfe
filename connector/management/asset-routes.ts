// /management/v3/assets: EDC Asset bodies in, compact JSON-LD out; writes need admin or publisher.
import { randomUUID } from 'node:crypto';
import express, { type Router } from 'express';
import type { Asset, AssetInput, PropertyMap } from '../catalog/asset-store';
import { EDC_DATA_ADDRESS_TYPE, EDC_ID, EDC_NS } from '../catalog/vocabulary';
import { fail, ok, type Result } from '../common/result';
import { requireRole, WRITERS } from '../tenancy/caller';
import type { CatalogRouteKit } from './catalog-routes';
import { compactValue, edcProperty, idResponse, withContext, type NormalizedNode } from './jsonld-body';
import { querySpecFromNode } from './query-spec';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function invalid<T>(path: string, message: string, invalidValue: unknown = null): Result<T> {
  return fail('bad-request', `${path}: ${message}`, [{ path, message, invalidValue }]);
}

function propertyMap(node: NormalizedNode, name: string, required: boolean): Result<PropertyMap> {
  const v = edcProperty(node, name);
  if (v === undefined) return required ? invalid(EDC_NS + name, `mandatory object '${name}' is missing`) : ok({});
  if (!isRecord(v)) return invalid(EDC_NS + name, `'${name}' must be a JSON object`, v);
  const { '@id': _id, '@type': _type, ...rest } = v;
  return ok(rest);
}

/** An EDC Asset body as an asset input: id from `@id` or the EDC id property (else a new UUID), data address type required. */
export function assetFromNode(node: NormalizedNode): Result<AssetInput> {
  const properties = propertyMap(node, 'properties', true);
  if (!properties.ok) return properties;
  const privateProperties = propertyMap(node, 'privateProperties', false);
  if (!privateProperties.ok) return privateProperties;
  const dataAddress = propertyMap(node, 'dataAddress', true);
  if (!dataAddress.ok) return dataAddress;
  const type = dataAddress.value[EDC_DATA_ADDRESS_TYPE];
  if (typeof type !== 'string' || type.trim() === '') return invalid(`${EDC_NS}dataAddress.${EDC_DATA_ADDRESS_TYPE}`, "mandatory value 'type' of the data address is missing or blank", type ?? null);
  const overlap = Object.keys(properties.value).filter((k) => k in privateProperties.value);
  if (overlap.length > 0) return invalid(`${EDC_NS}privateProperties`, `keys appear in both properties and privateProperties: ${overlap.join(', ')}`, overlap);
  const bodyId = node['@id'];
  const propId = properties.value[EDC_ID];
  if (bodyId !== undefined && (typeof bodyId !== 'string' || bodyId.trim() === '')) return invalid('@id', 'must be a non-blank string', bodyId);
  if (propId !== undefined && typeof propId !== 'string') return invalid(EDC_ID, 'must be a string', propId);
  if (bodyId !== undefined && propId !== undefined && bodyId !== propId) return invalid('@id', `differs from property ${EDC_ID} ('${String(propId)}')`, bodyId);
  const id = (bodyId as string | undefined) ?? (propId as string | undefined) ?? randomUUID();
  return ok({ id, properties: properties.value, privateProperties: privateProperties.value, dataAddress: dataAddress.value });
}

/** An asset as EDC returns it (compact, with the inline context). */
export function assetJson(asset: Asset): Record<string, unknown> {
  return withContext({
    '@id': asset.id,
    '@type': 'Asset',
    properties: compactValue(asset.properties),
    privateProperties: compactValue(asset.privateProperties),
    dataAddress: { '@type': 'DataAddress', ...(compactValue(asset.dataAddress) as Record<string, unknown>) },
    createdAt: asset.createdAt,
  });
}

export function createAssetRoutes(kit: CatalogRouteKit): Router {
  const router = express.Router();
  const writers = requireRole(...WRITERS);

  router.post('/', writers, kit.handle(async (req, res) => {
    const node = await kit.body(req, res);
    if (node === undefined) return;
    const input = assetFromNode(node);
    if (!input.ok) return kit.reply(res, input, () => undefined);
    const r = await kit.service.createAsset(kit.actionContext(req, res), input.value);
    kit.reply(res, r, (a) => res.status(200).json(idResponse(a.id, a.createdAt)));
  }));

  router.post('/request', kit.handle(async (req, res) => {
    const node = await kit.body(req, res, true);
    if (node === undefined) return;
    const spec = querySpecFromNode(node);
    if (!spec.ok) return kit.reply(res, spec, () => undefined);
    const r = await kit.service.listAssets(kit.actionContext(req, res).tenantId, spec.value);
    kit.reply(res, r, (list) => res.json(list.map(assetJson)));
  }));

  router.get('/:id', kit.handle(async (req, res) => {
    const r = await kit.service.getAsset(kit.actionContext(req, res).tenantId, String(req.params.id));
    kit.reply(res, r, (a) => res.json(assetJson(a)));
  }));

  router.put('/', writers, kit.handle(async (req, res) => {
    const node = await kit.body(req, res);
    if (node === undefined) return;
    const props = edcProperty(node, 'properties');
    if (node['@id'] === undefined && !(isRecord(props) && typeof props[EDC_ID] === 'string')) {
      return kit.reply(res, invalid('@id', 'mandatory for an update'), () => undefined);
    }
    const input = assetFromNode(node);
    if (!input.ok) return kit.reply(res, input, () => undefined);
    const r = await kit.service.updateAsset(kit.actionContext(req, res), input.value);
    kit.reply(res, r, () => res.status(204).end());
  }));

  router.delete('/:id', writers, kit.handle(async (req, res) => {
    const r = await kit.service.deleteAsset(kit.actionContext(req, res), String(req.params.id));
    kit.reply(res, r, () => res.status(204).end());
  }));

  return router;
}
