// Management API v3 contractnegotiations + contractagreements (consumer starts, queries, terminate), EDC shapes.
import { Router, type Request, type Response } from 'express';
import { parsePolicy, serializePolicy } from '../../policies/index';
import { classifyAddress } from '../common/ip-ranges';
import { fail, ok, type Result } from '../common/result';
import { isIP } from 'node:net';
import { DIALECT_INFO, dialectFromVersion, type DspDialect } from '../dsp/dialects';
import type { ControlPlane } from '../negotiation/control-plane';
import { parseCallbackAddresses } from '../negotiation/control-plane-events';
import type { ContractAgreementRecord } from '../negotiation/negotiation-store';
import type { ContractNegotiation } from '../negotiation/contract-negotiation';
import { callerOf, requireRole, WRITERS } from '../tenancy/caller';
import { idResponse, withContext } from './jsonld-body';
import { sendFailure } from './management-errors';

const EDC_NS = 'https://w3id.org/edc/v0.0.1/ns/';

export interface ManagementControlPlaneDeps {
  readonly cp: Pick<ControlPlane, 'negotiations' | 'transfers' | 'negotiationStore' | 'transferStore' | 'client' | 'codec'> & { readonly db: ControlPlane['db'] };
  /** Outbound address policy (mirror the outbound client's config). */
  readonly allowLoopback?: boolean;
  readonly allowPrivate?: boolean;
}

/** A top-level field of an EDC management body by local name (`x`, `edc:x` or the full EDC IRI). */
export function field(body: unknown, name: string): unknown {
  if (typeof body !== 'object' || body === null) return undefined;
  const o = body as Record<string, unknown>;
  const v = o[name] ?? o[`edc:${name}`] ?? o[`${EDC_NS}${name}`];
  if (Array.isArray(v) && v.length === 1 && typeof v[0] === 'object' && v[0] !== null && '@value' in (v[0] as object)) return (v[0] as { '@value': unknown })['@value'];
  return v;
}

export function stringField(body: unknown, name: string): string | undefined {
  const v = field(body, name);
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** The dialect of an EDC `protocol` id (default 2025-1). */
export function dialectOfProtocol(protocol: string | undefined): Result<DspDialect> {
  if (protocol === undefined) return ok('2025-1');
  const d = dialectFromVersion(protocol);
  return d === undefined ? fail('bad-request', `protocol ${protocol} is not supported`) : ok(d);
}

/** http(s), no credentials in the URL, no loopback/private IP literals unless allowed (host names are checked on connect). */
export function checkAddress(value: string | undefined, what: string, opts: { allowLoopback?: boolean; allowPrivate?: boolean }): Result<string> {
  if (value === undefined) return fail('bad-request', `${what} is required`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return fail('bad-request', `${what} is not an absolute URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return fail('bad-request', `${what} must be http(s)`);
  if (url.username !== '' || url.password !== '') return fail('bad-request', `${what} must not contain credentials`);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const literal = isIP(host) !== 0 ? classifyAddress(host) : host === 'localhost' ? 'loopback' : 'public';
  if (literal === 'loopback' && opts.allowLoopback !== true) return fail('bad-request', `${what} points to a loopback address`);
  if ((literal === 'private' || literal === 'unique-local') && opts.allowPrivate !== true) return fail('bad-request', `${what} points to a private address`);
  if (literal !== 'public' && literal !== 'loopback' && literal !== 'private' && literal !== 'unique-local') return fail('bad-request', `${what} points to a refused address range`);
  return ok(value);
}

/** offset/limit of an EDC QuerySpec body (filters are not supported on processes yet). */
export function pageOf(body: unknown): { offset: number; limit: number; order: 'ASC' | 'DESC' } {
  const n = (v: unknown, d: number) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : d);
  return { offset: n(field(body, 'offset'), 0), limit: Math.min(1000, n(field(body, 'limit'), 50)), order: field(body, 'sortOrder') === 'DESC' ? 'DESC' : 'ASC' };
}

export function negotiationJson(n: ContractNegotiation, extra: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return withContext({
    '@type': 'ContractNegotiation', '@id': n.id, type: n.role === 'provider' ? 'PROVIDER' : 'CONSUMER', protocol: DIALECT_INFO[n.dialect].protocol,
    state: n.state, counterPartyId: n.counterPartyId, counterPartyAddress: n.counterPartyAddress, createdAt: n.createdAt,
    ...(n.agreementId !== undefined ? { contractAgreementId: n.agreementId } : {}), ...(n.errorDetail !== undefined ? { errorDetail: n.errorDetail } : {}),
    callbackAddresses: extra['callbackAddresses'] ?? [],
  });
}

export function agreementJson(a: ContractAgreementRecord): Record<string, unknown> {
  return withContext({
    '@type': 'ContractAgreement', '@id': a.id, assetId: a.assetId, providerId: a.providerId, consumerId: a.consumerId,
    contractSigningDate: Math.floor(a.signingDate / 1000), policy: serializePolicy(a.policy, 'edc-management', { includeContext: false }),
  });
}

/** Mount at `/management/v3/contractnegotiations` (after the authorizer). */
export function createNegotiationRoutes(deps: ManagementControlPlaneDeps): Router {
  const r = Router();
  const { cp } = deps;
  const tenant = (res: Response) => callerOf(res).tenantId;

  r.post('/', requireRole(...WRITERS), async (req: Request, res: Response) => {
    const body = req.body as Record<string, unknown> | undefined;
    const address = checkAddress(stringField(body, 'counterPartyAddress'), 'counterPartyAddress', deps);
    if (!address.ok) return sendFailure(res, address);
    const dialect = dialectOfProtocol(stringField(body, 'protocol'));
    if (!dialect.ok) return sendFailure(res, dialect);
    const rawPolicy = field(body, 'policy');
    if (typeof rawPolicy !== 'object' || rawPolicy === null) return sendFailure(res, fail('bad-request', 'policy is required'));
    const policy = await parsePolicy({ '@context': body?.['@context'], ...(rawPolicy as Record<string, unknown>) });
    if (!policy.ok) return sendFailure(res, policy);
    const counterPartyId = stringField(body, 'counterPartyId') ?? policy.value.assigner;
    if (counterPartyId === undefined) return sendFailure(res, fail('bad-request', 'counterPartyId (or policy assigner) is required'));
    if (policy.value.id === undefined || policy.value.target === undefined) return sendFailure(res, fail('bad-request', 'the policy needs the offer @id and a target'));
    const callbacks = parseCallbackAddresses(field(body, 'callbackAddresses'));
    for (const cb of callbacks) {
      const ok2 = checkAddress(cb.uri, 'callbackAddresses.uri', deps);
      if (!ok2.ok) return sendFailure(res, ok2);
    }
    const started = await cp.negotiations.start(tenant(res), { counterPartyAddress: address.value, counterPartyId, dialect: dialect.value, offer: policy.value, callbackAddresses: callbacks, actor: callerOf(res).actor });
    if (!started.ok) return sendFailure(res, started);
    res.json(idResponse(started.value.entity.id, started.value.entity.createdAt));
  });
  r.post('/request', async (req: Request, res: Response) => {
    const p = pageOf(req.body);
    const rows = await cp.db.withTenant(tenant(res), (tx) => cp.negotiationStore.list(tx, {}, p.offset, p.limit, p.order));
    res.json(rows.map((s) => negotiationJson(s.entity, s.extra)));
  });
  const load = (res: Response, id: string) => cp.db.withTenant(tenant(res), (tx) => cp.negotiationStore.find(tx, id));
  r.get('/:id', async (req: Request, res: Response) => {
    const s = await load(res, String(req.params.id));
    if (s === undefined) return sendFailure(res, fail('not-found', `negotiation ${String(req.params.id)} not found`));
    res.json(negotiationJson(s.entity, s.extra));
  });
  r.get('/:id/state', async (req: Request, res: Response) => {
    const s = await load(res, String(req.params.id));
    if (s === undefined) return sendFailure(res, fail('not-found', `negotiation ${String(req.params.id)} not found`));
    res.json(withContext({ '@type': 'NegotiationState', state: s.entity.state }));
  });
  r.get('/:id/agreement', async (req: Request, res: Response) => {
    const s = await load(res, String(req.params.id));
    const a = s?.entity.agreementId === undefined ? undefined : await cp.db.withTenant(tenant(res), (tx) => cp.negotiationStore.findAgreement(tx, s.entity.agreementId as string));
    if (a === undefined) return sendFailure(res, fail('not-found', `no agreement for negotiation ${String(req.params.id)}`));
    res.json(agreementJson(a));
  });
  r.post('/:id/terminate', requireRole(...WRITERS), async (req: Request, res: Response) => {
    const t = await cp.negotiations.terminate(tenant(res), String(req.params.id), stringField(req.body, 'reason') ?? 'terminated by the operator', callerOf(res).actor);
    if (!t.ok) return sendFailure(res, t);
    res.status(204).end();
  });
  return r;
}

/** Mount at `/management/v3/contractagreements`. */
export function createAgreementRoutes(deps: ManagementControlPlaneDeps): Router {
  const r = Router();
  const { cp } = deps;
  const tenant = (res: Response) => callerOf(res).tenantId;
  r.post('/request', async (req: Request, res: Response) => {
    const p = pageOf(req.body);
    res.json((await cp.db.withTenant(tenant(res), (tx) => cp.negotiationStore.listAgreements(tx, p.offset, p.limit, p.order))).map(agreementJson));
  });
  r.get('/:id', async (req: Request, res: Response) => {
    const a = await cp.db.withTenant(tenant(res), (tx) => cp.negotiationStore.findAgreement(tx, String(req.params.id)));
    if (a === undefined) return sendFailure(res, fail('not-found', `agreement ${String(req.params.id)} not found`));
    res.json(agreementJson(a));
  });
  r.get('/:id/negotiation', async (req: Request, res: Response) => {
    const s = await cp.db.withTenant(tenant(res), async (tx) => {
      const a = await cp.negotiationStore.findAgreement(tx, String(req.params.id));
      return a === undefined ? undefined : cp.negotiationStore.find(tx, a.negotiationId);
    });
    if (s === undefined) return sendFailure(res, fail('not-found', `agreement ${String(req.params.id)} not found`));
    res.json(negotiationJson(s.entity, s.extra));
  });
  return r;
}
