// Management API v3 contractnegotiations + contractagreements (starts, offers, decisions, queries, terminate), EDC shapes.
import { Router, type Request, type Response } from 'express';
import { parsePolicy, serializePolicy, type Policy } from '../../policies/index';
import { classifyAddress } from '../common/ip-ranges';
import { fail, ok, type Result } from '../common/result';
import { isIP } from 'node:net';
import { DIALECT_INFO, dialectFromVersion, type DspDialect } from '../dsp/dialects';
import type { ControlPlane } from '../negotiation/control-plane';
import { parseCallbackAddresses, type CallbackAddress } from '../negotiation/control-plane-events';
import type { ContractAgreementRecord } from '../negotiation/negotiation-store';
import type { ContractNegotiation } from '../negotiation/contract-negotiation';
import { asPolicy } from '../negotiation/negotiation-service';
import { callerOf, requireRole, WRITERS } from '../tenancy/caller';
import { createManagementBodyReader, idResponse, withContext, type ManagementBodyReader } from './jsonld-body';
import { sendFailure } from './management-errors';
import { isSecretId } from './secret-routes';
import { querySpec, querySpecFromNode, type QuerySpec } from './query-spec';

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

type AddressOptions = { allowLoopback?: boolean; allowPrivate?: boolean };

/** The counter-party's DSP address and dialect of a management body (`counterPartyAddress`, `protocol`), both checked. */
export function dspTarget(body: unknown, opts: AddressOptions): Result<{ address: string; dialect: DspDialect }> {
  const address = checkAddress(stringField(body, 'counterPartyAddress'), 'counterPartyAddress', opts);
  if (!address.ok) return address;
  const dialect = dialectOfProtocol(stringField(body, 'protocol'));
  return dialect.ok ? ok({ address: address.value, dialect: dialect.value }) : dialect;
}

/** An HTTP header name (RFC 9110 token) that is not one the client itself sets. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/;
const RESERVED_HEADERS = new Set(['host', 'content-length', 'content-type', 'transfer-encoding', 'connection', 'accept', 'accept-encoding', 'user-agent']);

/**
 * The body's `callbackAddresses`, each URI checked like a counter-party address; `authKey` and `authCodeId` come
 * together, as a header name and the id of a management secret.
 */
export function checkedCallbacks(body: unknown, opts: AddressOptions): Result<CallbackAddress[]> {
  const callbacks = parseCallbackAddresses(field(body, 'callbackAddresses'));
  for (const cb of callbacks) {
    const checked = checkAddress(cb.uri, 'callbackAddresses.uri', opts);
    if (!checked.ok) return checked;
    if ((cb.authKey === undefined) !== (cb.authCodeId === undefined)) {
      return fail('bad-request', 'callbackAddresses: authKey and authCodeId go together', [{ path: 'callbackAddresses.authCodeId', message: 'authKey and authCodeId go together' }]);
    }
    if (cb.authKey !== undefined && (!HEADER_NAME.test(cb.authKey) || RESERVED_HEADERS.has(cb.authKey.toLowerCase()))) {
      return fail('bad-request', 'callbackAddresses.authKey must be a header name the client does not set itself', [{ path: 'callbackAddresses.authKey', message: 'invalid header name', invalidValue: cb.authKey }]);
    }
    if (cb.authCodeId !== undefined && !isSecretId(cb.authCodeId)) {
      return fail('bad-request', 'callbackAddresses.authCodeId must be a secret id', [{ path: 'callbackAddresses.authCodeId', message: 'invalid secret id', invalidValue: cb.authCodeId }]);
    }
  }
  return ok(callbacks);
}

/**
 * The EDC QuerySpec of a `/request` body (absent or empty: the defaults). Read as JSON-LD like every management body,
 * so `edc:`-prefixed and expanded keys work; malformed paging, sort order or criteria are bad requests.
 */
export async function querySpecOfBody(reader: ManagementBodyReader, body: unknown): Promise<Result<QuerySpec>> {
  if (body === undefined || body === null || (typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0)) return ok(querySpec());
  const node = await reader.read(body);
  return node.ok ? querySpecFromNode(node.value) : node;
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

/** The `policy` of a management body (EDC policy JSON-LD, read with the body's `@context`). */
async function policyOfBody(body: unknown): Promise<Result<Policy>> {
  const raw = field(body, 'policy');
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail('bad-request', 'policy is required');
  const ctx = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['@context'] : undefined;
  return parsePolicy({ '@context': ctx, ...(raw as Record<string, unknown>) });
}

/** Mount at `/management/v3/contractnegotiations` (after the authorizer). */
export function createNegotiationRoutes(deps: ManagementControlPlaneDeps): Router {
  const r = Router();
  const { cp } = deps;
  const tenant = (res: Response) => callerOf(res).tenantId;

  r.post('/', requireRole(...WRITERS), async (req: Request, res: Response) => {
    const body = req.body as Record<string, unknown> | undefined;
    const target = dspTarget(body, deps);
    if (!target.ok) return sendFailure(res, target);
    const rawPolicy = field(body, 'policy');
    if (typeof rawPolicy !== 'object' || rawPolicy === null) return sendFailure(res, fail('bad-request', 'policy is required'));
    const policy = await parsePolicy({ '@context': body?.['@context'], ...(rawPolicy as Record<string, unknown>) });
    if (!policy.ok) return sendFailure(res, policy);
    const counterPartyId = stringField(body, 'counterPartyId') ?? policy.value.assigner;
    if (counterPartyId === undefined) return sendFailure(res, fail('bad-request', 'counterPartyId (or policy assigner) is required'));
    if (policy.value.id === undefined || policy.value.target === undefined) return sendFailure(res, fail('bad-request', 'the policy needs the offer @id and a target'));
    const callbacks = checkedCallbacks(body, deps);
    if (!callbacks.ok) return sendFailure(res, callbacks);
    const started = await cp.negotiations.start(tenant(res), { counterPartyAddress: target.value.address, counterPartyId, dialect: target.value.dialect, offer: policy.value, callbackAddresses: callbacks.value, actor: callerOf(res).actor });
    if (!started.ok) return sendFailure(res, started);
    res.json(idResponse(started.value.entity.id, started.value.entity.createdAt));
  });
  // Provider (extension): a provider-initiated negotiation offering a contract definition's contract policy for an asset.
  r.post('/offers', requireRole(...WRITERS), async (req: Request, res: Response) => {
    const body = req.body as unknown;
    const target = dspTarget(body, deps);
    if (!target.ok) return sendFailure(res, target);
    const counterPartyId = stringField(body, 'counterPartyId');
    const contractDefinitionId = stringField(body, 'contractDefinitionId');
    const assetId = stringField(body, 'assetId');
    if (counterPartyId === undefined || contractDefinitionId === undefined || assetId === undefined) {
      return sendFailure(res, fail('bad-request', 'counterPartyId, contractDefinitionId and assetId are required'));
    }
    const callbacks = checkedCallbacks(body, deps);
    if (!callbacks.ok) return sendFailure(res, callbacks);
    const offered = await cp.negotiations.offer(tenant(res), {
      counterPartyAddress: target.value.address, counterPartyId, dialect: target.value.dialect, contractDefinitionId, assetId, callbackAddresses: callbacks.value, actor: callerOf(res).actor,
    });
    if (!offered.ok) return sendFailure(res, offered);
    res.json(idResponse(offered.value.entity.id, offered.value.entity.createdAt));
  });
  const reader = createManagementBodyReader();
  r.post('/request', async (req: Request, res: Response) => {
    const spec = await querySpecOfBody(reader, req.body);
    if (!spec.ok) return sendFailure(res, spec);
    const rows = await cp.db.withTenant(tenant(res), (tx) => cp.negotiationStore.query(tx, spec.value));
    if (!rows.ok) return sendFailure(res, rows);
    res.json(rows.value.map((s) => negotiationJson(s.entity, s.extra)));
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
  r.get('/:id/offer', async (req: Request, res: Response) => {
    const s = await load(res, String(req.params.id));
    const offer = s === undefined ? undefined : asPolicy(s.entity.offerPolicy);
    if (offer === undefined || !offer.ok) return sendFailure(res, fail('not-found', `no offer for negotiation ${String(req.params.id)}`));
    res.json(withContext({ ...serializePolicy(offer.value, 'edc-management', { includeContext: false }) }));
  });
  // Decisions of the tenant's user (extensions): provider counter-offer / approval, consumer accept / counter-request.
  const decide = (run: (tenantId: string, id: string, req: Request, actor: string) => Promise<Result<unknown>>) =>
    async (req: Request, res: Response) => {
      const r = await run(tenant(res), String(req.params.id), req, callerOf(res).actor);
      if (!r.ok) return sendFailure(res, r);
      res.status(204).end();
    };
  r.post('/:id/counteroffer', requireRole(...WRITERS), decide(async (t, id, req, actor) => {
    const policy = await policyOfBody(req.body);
    return policy.ok ? cp.negotiations.counterOffer(t, id, policy.value, actor) : policy;
  }));
  r.post('/:id/approve', requireRole(...WRITERS), decide((t, id, _req, actor) => cp.negotiations.approve(t, id, actor)));
  r.post('/:id/accept', requireRole(...WRITERS), decide((t, id, _req, actor) => cp.negotiations.accept(t, id, actor)));
  r.post('/:id/counterrequest', requireRole(...WRITERS), decide(async (t, id, req, actor) => {
    const policy = await policyOfBody(req.body);
    return policy.ok ? cp.negotiations.counterRequest(t, id, policy.value, actor) : policy;
  }));
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
  const reader = createManagementBodyReader();
  r.post('/request', async (req: Request, res: Response) => {
    const spec = await querySpecOfBody(reader, req.body);
    if (!spec.ok) return sendFailure(res, spec);
    const rows = await cp.db.withTenant(tenant(res), (tx) => cp.negotiationStore.queryAgreements(tx, spec.value));
    if (!rows.ok) return sendFailure(res, rows);
    res.json(rows.value.map(agreementJson));
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
