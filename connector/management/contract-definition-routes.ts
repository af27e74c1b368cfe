// /management/v3/contractdefinitions: EDC ContractDefinition CRUD (access policy, contract policy, asset selector).
import { randomUUID } from 'node:crypto';
import express, { type Router } from 'express';
import type { ContractDefinition, ContractDefinitionInput, PropertyMap } from '../catalog/index';
import { EDC_NS } from '../catalog/vocabulary';
import { fail, ok, type Result } from '../common/result';
import { requireRole, WRITERS } from '../tenancy/caller';
import type { CatalogRouteKit } from './catalog-routes';
import { compactValue, edcProperty, idResponse, withContext, type NormalizedNode } from './jsonld-body';
import { criteriaFromNode, querySpecFromNode } from './query-spec';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function invalid<T>(path: string, message: string, invalidValue: unknown = null): Result<T> {
  return fail('bad-request', `${path}: ${message}`, [{ path, message, invalidValue }]);
}

/** An EDC ContractDefinition body as input: both policy ids required, selector criteria optional (empty = all). */
export function contractDefinitionFromNode(node: NormalizedNode): Result<ContractDefinitionInput> {
  const ids: Record<string, string> = {};
  for (const name of ['accessPolicyId', 'contractPolicyId']) {
    const v = edcProperty(node, name);
    if (typeof v !== 'string' || v.trim() === '') return invalid(EDC_NS + name, `mandatory value '${name}' is missing or blank`, v ?? null);
    ids[name] = v;
  }
  const bodyId = node['@id'];
  if (bodyId !== undefined && (typeof bodyId !== 'string' || bodyId.trim() === '')) return invalid('@id', 'must be a non-blank string', bodyId);
  const selector = criteriaFromNode(edcProperty(node, 'assetsSelector'), 'assetsSelector');
  if (!selector.ok) return selector;
  const priv = edcProperty(node, 'privateProperties') ?? {};
  if (!isRecord(priv)) return invalid(`${EDC_NS}privateProperties`, 'must be a JSON object', priv);
  const { '@id': _id, '@type': _type, ...privateProperties } = priv;
  return ok({
    id: (bodyId as string | undefined) ?? randomUUID(),
    accessPolicyId: ids.accessPolicyId as string,
    contractPolicyId: ids.contractPolicyId as string,
    assetsSelector: selector.value,
    privateProperties: privateProperties as PropertyMap,
  });
}

/** A contract definition as EDC returns it. */
export function contractDefinitionJson(d: ContractDefinition): Record<string, unknown> {
  return withContext({
    '@id': d.id,
    '@type': 'ContractDefinition',
    accessPolicyId: d.accessPolicyId,
    contractPolicyId: d.contractPolicyId,
    assetsSelector: d.assetsSelector.map((c) => ({ '@type': 'Criterion', operandLeft: c.operandLeft, operator: c.operator, operandRight: c.operandRight })),
    privateProperties: compactValue(d.privateProperties),
    createdAt: d.createdAt,
  });
}

export function createContractDefinitionRoutes(kit: CatalogRouteKit): Router {
  const router = express.Router();
  const writers = requireRole(...WRITERS);

  router.post('/', writers, kit.handle(async (req, res) => {
    const node = await kit.body(req, res);
    if (node === undefined) return;
    const input = contractDefinitionFromNode(node);
    if (!input.ok) return kit.reply(res, input, () => undefined);
    const r = await kit.service.createContractDefinition(kit.actionContext(req, res), input.value);
    kit.reply(res, r, (d) => res.status(200).json(idResponse(d.id, d.createdAt)));
  }));

  router.post('/request', kit.handle(async (req, res) => {
    const node = await kit.body(req, res, true);
    if (node === undefined) return;
    const spec = querySpecFromNode(node);
    if (!spec.ok) return kit.reply(res, spec, () => undefined);
    const r = await kit.service.listContractDefinitions(kit.actionContext(req, res).tenantId, spec.value);
    kit.reply(res, r, (list) => res.json(list.map(contractDefinitionJson)));
  }));

  router.get('/:id', kit.handle(async (req, res) => {
    const r = await kit.service.getContractDefinition(kit.actionContext(req, res).tenantId, String(req.params.id));
    kit.reply(res, r, (d) => res.json(contractDefinitionJson(d)));
  }));

  router.put('/', writers, kit.handle(async (req, res) => {
    const node = await kit.body(req, res);
    if (node === undefined) return;
    if (node['@id'] === undefined) return kit.reply(res, invalid('@id', 'mandatory for an update'), () => undefined);
    const input = contractDefinitionFromNode(node);
    if (!input.ok) return kit.reply(res, input, () => undefined);
    const r = await kit.service.updateContractDefinition(kit.actionContext(req, res), input.value);
    kit.reply(res, r, () => res.status(204).end());
  }));

  router.delete('/:id', writers, kit.handle(async (req, res) => {
    const r = await kit.service.deleteContractDefinition(kit.actionContext(req, res), String(req.params.id));
    kit.reply(res, r, () => res.status(204).end());
  }));

  return router;
}
