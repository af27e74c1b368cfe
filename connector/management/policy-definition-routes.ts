// /management/v3/policydefinitions: EDC PolicyDefinition CRUD, validate, evaluation plan and our explain endpoint.
import { randomUUID } from 'node:crypto';
import express, { type Router } from 'express';
import type { Policy, PolicyContext, PolicyScope, VerifiedCredentialClaims } from '../../policies/index';
import { parseExpandedPolicy, parsePolicyDefinition, POLICY_SCOPES, serializePolicy } from '../../policies/index';
import type { PolicyDefinition, PropertyMap } from '../catalog/index';
import { EDC_NS } from '../catalog/vocabulary';
import { fail, ok, type Result } from '../common/result';
import { createDspExpander } from '../dsp/jsonld-expand';
import { requireRole, WRITERS } from '../tenancy/caller';
import type { CatalogRouteKit } from './catalog-routes';
import { compactValue, edcProperty, idResponse, withContext, type NormalizedNode } from './jsonld-body';
import { querySpecFromNode } from './query-spec';

const DSP_2025_CONTEXT = 'https://w3id.org/dspace/2025/1/context.jsonld';
/** Contexts assumed when a PolicyDefinition body has none: the Catena-X policy style under EDC's `@vocab`. */
const DEFAULT_POLICY_CONTEXT = [
  'https://w3id.org/dspace/2025/1/odrl-profile.jsonld',
  'https://w3id.org/catenax/2025/9/policy/context.jsonld',
  { '@vocab': EDC_NS },
];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function invalid<T>(path: string, message: string, invalidValue: unknown = null): Result<T> {
  return fail('bad-request', `${path}: ${message}`, [{ path, message, invalidValue }]);
}

/**
 * The policy of a PolicyDefinition body. Bodies using the DSP 2025-1 message context are expanded with the DSP
 * expander (jsonld.js `@import` cache bug, see docs/dsp.md); all others go through the policy module's parser.
 */
async function policyOfBody(body: Record<string, unknown>, expander: ReturnType<typeof createDspExpander>): Promise<Result<Policy>> {
  if (JSON.stringify(body['@context'] ?? null).includes(DSP_2025_CONTEXT)) {
    const expanded = await expander.expand(body);
    if (!expanded.ok) return expanded;
    const top = expanded.value[0];
    const inner = isRecord(top) ? top[`${EDC_NS}policy`] : undefined;
    const list = Array.isArray(inner) ? inner : [];
    if (expanded.value.length !== 1 || list.length !== 1) return invalid(`${EDC_NS}policy`, 'a policy definition must hold exactly one policy');
    const parsed = parseExpandedPolicy(list[0]);
    return parsed.ok ? ok(parsed.value) : fail('bad-request', parsed.message, parsed.details.map((d) => ({ ...d, path: d.path ? `policy.${d.path}` : 'policy' })));
  }
  const parsed = await parsePolicyDefinition(body, { defaultContext: DEFAULT_POLICY_CONTEXT });
  return parsed.ok ? ok(parsed.value.policy) : parsed;
}

function privateProperties(node: NormalizedNode): Result<PropertyMap> {
  const v = edcProperty(node, 'privateProperties');
  if (v === undefined) return ok({});
  if (!isRecord(v)) return invalid(`${EDC_NS}privateProperties`, 'must be a JSON object', v);
  const { '@id': _id, '@type': _type, ...rest } = v;
  return ok(rest);
}

/** A policy definition as EDC returns it (policy in the `edc-management` dialect). */
export function policyDefinitionJson(d: PolicyDefinition): Record<string, unknown> {
  return withContext({
    '@id': d.id,
    '@type': 'PolicyDefinition',
    createdAt: d.createdAt,
    policy: serializePolicy(d.policy, 'edc-management', { includeContext: false }),
    privateProperties: compactValue(d.privateProperties),
  });
}

function stringList(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

function scopeOf(value: unknown, dflt?: PolicyScope): Result<PolicyScope> {
  if (value === undefined && dflt !== undefined) return ok(dflt);
  if (typeof value === 'string' && (POLICY_SCOPES as readonly string[]).includes(value)) return ok(value as PolicyScope);
  return invalid('policyScope', `must be one of ${POLICY_SCOPES.join(', ')}`, value ?? null);
}

/** Reads our explain body: `{ policyScope?, counterParty: { bpn?, did?, credentials? }, businessPartnerGroups?, agreement?, at? }`. */
export function explainRequest(body: unknown, now: Date): Result<{ scope: PolicyScope; context: PolicyContext }> {
  if (!isRecord(body)) return invalid('', 'the request body must be a JSON object');
  const scope = scopeOf(body.policyScope ?? body.scope, 'catalog');
  if (!scope.ok) return scope;
  const cp = body.counterParty ?? {};
  if (!isRecord(cp)) return invalid('counterParty', 'must be an object', cp);
  for (const key of ['bpn', 'did'] as const) {
    if (cp[key] !== undefined && typeof cp[key] !== 'string') return invalid(`counterParty.${key}`, 'must be a string', cp[key]);
  }
  const creds = cp.credentials ?? [];
  if (!Array.isArray(creds)) return invalid('counterParty.credentials', 'must be a list of credentials', creds);
  for (const [i, c] of creds.entries()) {
    const typeOk = isRecord(c) && (typeof c.type === 'string' || stringList(c.type));
    const subjectOk = isRecord(c) && (isRecord(c.credentialSubject) || (Array.isArray(c.credentialSubject) && c.credentialSubject.every(isRecord)));
    if (!typeOk || !subjectOk) return invalid(`counterParty.credentials[${i}]`, 'a credential needs a type (string or list) and a credentialSubject object', c);
  }
  const groups = body.businessPartnerGroups;
  if (groups !== undefined && !stringList(groups)) return invalid('businessPartnerGroups', 'must be a list of strings', groups);
  let agreement: PolicyContext['agreement'];
  if (body.agreement !== undefined) {
    const a = body.agreement;
    const signedAt = isRecord(a) && typeof a.signedAt === 'string' ? new Date(a.signedAt) : undefined;
    if (!isRecord(a) || typeof a.id !== 'string' || signedAt === undefined || Number.isNaN(signedAt.getTime())) {
      return invalid('agreement', 'must be { id, signedAt (ISO date-time) }', a);
    }
    agreement = { id: a.id, signedAt };
  }
  let at = now;
  if (body.at !== undefined) {
    at = typeof body.at === 'string' ? new Date(body.at) : new Date(NaN);
    if (Number.isNaN(at.getTime())) return invalid('at', 'must be an ISO date-time', body.at);
  }
  const context: PolicyContext = {
    now: at,
    counterParty: {
      ...(typeof cp.bpn === 'string' ? { bpn: cp.bpn } : {}),
      ...(typeof cp.did === 'string' ? { did: cp.did } : {}),
      credentials: creds as VerifiedCredentialClaims[],
    },
    ...(groups !== undefined ? { businessPartnerGroups: groups } : {}),
    ...(agreement !== undefined ? { agreement } : {}),
  };
  return ok({ scope: scope.value, context });
}

export function createPolicyDefinitionRoutes(kit: CatalogRouteKit): Router {
  const router = express.Router();
  const writers = requireRole(...WRITERS);
  const expander = createDspExpander();

  async function definitionInput(body: unknown, node: NormalizedNode, pathId?: string): Promise<Result<{ id: string; policy: Policy; privateProperties: PropertyMap }>> {
    if (edcProperty(node, 'policy') === undefined) return invalid(`${EDC_NS}policy`, "mandatory object 'policy' is missing");
    const bodyId = node['@id'];
    if (bodyId !== undefined && (typeof bodyId !== 'string' || bodyId.trim() === '')) return invalid('@id', 'must be a non-blank string', bodyId);
    const priv = privateProperties(node);
    if (!priv.ok) return priv;
    const policy = await policyOfBody(body as Record<string, unknown>, expander);
    if (!policy.ok) return policy;
    return ok({ id: pathId ?? (bodyId as string | undefined) ?? randomUUID(), policy: policy.value, privateProperties: priv.value });
  }

  router.post('/', writers, kit.handle(async (req, res) => {
    const node = await kit.body(req, res);
    if (node === undefined) return;
    const input = await definitionInput(req.body, node);
    if (!input.ok) return kit.reply(res, input, () => undefined);
    const r = await kit.service.createPolicy(kit.actionContext(req, res), input.value);
    kit.reply(res, r, (d) => res.status(200).json(idResponse(d.id, d.createdAt)));
  }));

  router.post('/request', kit.handle(async (req, res) => {
    const node = await kit.body(req, res, true);
    if (node === undefined) return;
    const spec = querySpecFromNode(node);
    if (!spec.ok) return kit.reply(res, spec, () => undefined);
    const r = await kit.service.listPolicies(kit.actionContext(req, res).tenantId, spec.value);
    kit.reply(res, r, (list) => res.json(list.map(policyDefinitionJson)));
  }));

  router.get('/:id', kit.handle(async (req, res) => {
    const r = await kit.service.getPolicy(kit.actionContext(req, res).tenantId, String(req.params.id));
    kit.reply(res, r, (d) => res.json(policyDefinitionJson(d)));
  }));

  router.put('/:id', writers, kit.handle(async (req, res) => {
    const node = await kit.body(req, res);
    if (node === undefined) return;
    const input = await definitionInput(req.body, node, String(req.params.id));
    if (!input.ok) return kit.reply(res, input, () => undefined);
    const r = await kit.service.updatePolicy(kit.actionContext(req, res), input.value);
    kit.reply(res, r, () => res.status(204).end());
  }));

  router.delete('/:id', writers, kit.handle(async (req, res) => {
    const r = await kit.service.deletePolicy(kit.actionContext(req, res), String(req.params.id));
    kit.reply(res, r, () => res.status(204).end());
  }));

  router.post('/:id/validate', kit.handle(async (req, res) => {
    const r = await kit.service.validatePolicy(kit.actionContext(req, res).tenantId, String(req.params.id));
    kit.reply(res, r, (v) => res.json(withContext({
      '@type': 'PolicyValidationResult', isValid: v.valid, errors: v.issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)),
    })));
  }));

  router.post('/:id/evaluationplan', kit.handle(async (req, res) => {
    const node = await kit.body(req, res);
    if (node === undefined) return;
    const scope = scopeOf(edcProperty(node, 'policyScope'));
    if (!scope.ok) return kit.reply(res, scope, () => undefined);
    const r = await kit.service.evaluationPlan(kit.actionContext(req, res).tenantId, String(req.params.id), scope.value);
    kit.reply(res, r, (plan) => res.json(withContext({ '@type': 'PolicyEvaluationPlan', ...plan })));
  }));

  router.post('/:id/explain', kit.handle(async (req, res) => {
    const request = explainRequest(req.body ?? {}, kit.now());
    if (!request.ok) return kit.reply(res, request, () => undefined);
    const r = await kit.service.explain(kit.actionContext(req, res).tenantId, String(req.params.id), request.value.scope, request.value.context);
    kit.reply(res, r, (result) => res.json(result));
  }));

  return router;
}
