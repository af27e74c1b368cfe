// Every DSP endpoint of a tenant (provider endpoints and consumer callbacks) as one table, independent of the HTTP framework.
import { randomUUID } from 'node:crypto';
import type { CatalogService } from '../../catalog-service/catalog-service';
import { inReadOnlyRequestOf, type Participant } from '../../catalog-service/participant';
import type { ReplayAdmission } from '../../identity/jti-replay-store';
import { decodePathSegment } from '../../common/path-segment';
import { fail, type Failure, type Result } from '../../common/result';
import { isValidTenantId } from '../../common/tenant-id';
import type { NegotiationService, SelfIdentity } from '../../negotiation/negotiation-service';
import { participantIdIn } from '../../negotiation/negotiation-service';
import type { Database } from '../../store/database';
import type { TransferService } from '../../transfer/transfer-service';
import type { DspCodec } from '../codec';
import { encodeOutbound } from '../client/dsp-client';
import type { DspDialect } from '../dialects';
import { catalogError, negotiationError, transferError } from '../errors';
import type { DspMessageMap, DspMessageType, NegotiationMessage, OutboundDspMessage, TransferMessage } from '../messages';
import type { ParticipantAuthenticator } from './participant-authenticator';

export interface DspEndpointDeps {
  readonly codec: DspCodec;
  readonly auth: ParticipantAuthenticator;
  readonly negotiations: NegotiationService;
  readonly transfers: TransferService;
  readonly catalog: CatalogService;
  readonly db: Pick<Database, 'withTenant'>;
  selfIdentity(tenantId: string): Promise<SelfIdentity>;
  /** Our DSP base URL for a tenant and dialect (DataService endpoint, pagination links). */
  dspBase(tenantId: string, dialect: DspDialect): string;
  /** Catalog page size (default 50, at most 500 via `?limit=`). */
  readonly pageSize?: number;
  /** Unexpected faults: logged with the error id that the 500 body carries. */
  readonly onError?: (err: unknown, errorId: string) => void;
}

/** One DSP request as the endpoints see it, whichever HTTP path (fast lane or Express) carried it. */
export interface DspRequest {
  readonly tenantId: string;
  readonly dialect: DspDialect;
  /** Path parameters of the endpoint's pattern (`id`), decoded. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, unknown>>;
  /** The parsed JSON body; undefined when there is none. */
  readonly body: unknown;
  readonly authorization: string | undefined;
}

/** What goes back on the wire: status, extra headers, and the compacted JSON-LD body (serialised) if any. */
export interface DspAnswer {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly json?: string;
}

export interface DspEndpoint {
  readonly method: 'GET' | 'POST';
  /** The path below a dialect's base, e.g. `/negotiations/:id/request` (`:id` is one path segment). */
  readonly path: string;
}

export interface DspEndpoints {
  readonly list: readonly DspEndpoint[];
  /** The endpoint for `method` and a path below a dialect's base, with its decoded path parameters; undefined if none. */
  find(method: string, path: string): { readonly endpoint: DspEndpoint; readonly params: Record<string, string> } | undefined;
  /** Authenticates the caller, runs the endpoint, and encodes its answer; never throws (unexpected faults are 500s). */
  serve(endpoint: DspEndpoint, request: DspRequest): Promise<DspAnswer>;
}

type Area = 'catalog' | 'negotiation' | 'transfer';
interface Reply { status: number; body?: OutboundDspMessage; headers?: Record<string, string> }
interface Ctx extends DspRequest { from: Participant }
interface Entry extends DspEndpoint { readonly area: Area; readonly segments: readonly string[]; readonly work: (ctx: Ctx) => Promise<Reply> }

function ids(message: unknown): { providerPid?: string; consumerPid?: string } {
  const m = (message ?? {}) as Record<string, unknown>;
  return {
    ...(typeof m['providerPid'] === 'string' && m['providerPid'] !== '' ? { providerPid: m['providerPid'] } : {}),
    ...(typeof m['consumerPid'] === 'string' && m['consumerPid'] !== '' ? { consumerPid: m['consumerPid'] } : {}),
  };
}

/** The messages to a transfer process, by the path verb that carries them (the same for either role). */
const TRANSFER_MESSAGES: readonly (readonly [string, TransferMessage['type']])[] = [
  ['start', 'TransferStartMessage'], ['completion', 'TransferCompletionMessage'], ['suspension', 'TransferSuspensionMessage'], ['termination', 'TransferTerminationMessage'],
];

function failureReply(area: Area, failure: Failure, message?: unknown): Reply {
  if (area === 'catalog') return catalogError(failure);
  const e = area === 'negotiation' ? negotiationError(failure, ids(message)) : transferError(failure, ids(message));
  return e.body === undefined ? { status: e.status } : { status: e.status, body: e.body };
}

export function createDspEndpoints(deps: DspEndpointDeps): DspEndpoints {
  const pageSize = deps.pageSize ?? 50;
  const entries: Entry[] = [];
  const add = (method: 'GET' | 'POST', path: string, area: Area, work: (ctx: Ctx) => Promise<Reply>): void => {
    entries.push({ method, path, area, segments: path.split('/').slice(1), work });
  };

  async function decode<T extends DspMessageType>(ctx: Ctx, type: T): Promise<Result<DspMessageMap[T]>> {
    if (ctx.body === undefined || ctx.body === null) return fail('bad-request', 'a JSON body is required');
    return deps.codec.decode(ctx.body, ctx.dialect, type);
  }

  const param = (ctx: Ctx, name: string): string => ctx.params[name] ?? '';

  async function view(ctx: Ctx) {
    const self = await deps.selfIdentity(ctx.tenantId);
    return { participantId: participantIdIn(ctx.dialect, self), dspBase: deps.dspBase(ctx.tenantId, ctx.dialect), dialect: ctx.dialect };
  }

  /**
   * A message that creates a process of ours: decoded, refused (400) when `refusal` names something it must not carry
   * or lacks, else `create`d and answered 201 with the new process's ACK.
   */
  function initialMessage<T extends 'ContractRequestMessage' | 'TransferRequestMessage' | 'ContractOfferMessage'>(
    area: 'negotiation' | 'transfer', type: T, refusal: (message: DspMessageMap[T]) => string | undefined,
    create: (ctx: Ctx, message: DspMessageMap[T]) => Promise<Result<{ readonly ack: OutboundDspMessage }>>,
  ) {
    return async (ctx: Ctx): Promise<Reply> => {
      const m = await decode(ctx, type);
      if (!m.ok) return failureReply(area, m, ctx.body);
      const refused = refusal(m.value);
      if (refused !== undefined) return failureReply(area, fail('bad-request', refused), m.value);
      const out = await create(ctx, m.value);
      return out.ok ? { status: 201, body: out.value.ack } : failureReply(area, out, m.value);
    };
  }

  /** A message to our negotiation or transfer `:id` in `role`; the message's own pid for that role must be the path id. */
  function processMessage(area: 'negotiation' | 'transfer', role: 'provider' | 'consumer', type: NegotiationMessage['type'] | TransferMessage['type']) {
    return async (ctx: Ctx): Promise<Reply> => {
      const m = await decode(ctx, type);
      if (!m.ok) return failureReply(area, m, ctx.body);
      const message: unknown = m.value;
      const own = role === 'provider' ? ids(message).providerPid : ids(message).consumerPid;
      if (own !== param(ctx, 'id')) return failureReply(area, fail('bad-request', `${role === 'provider' ? 'providerPid' : 'consumerPid'} does not match the path`), message);
      const r = area === 'negotiation'
        ? await deps.negotiations.onMessage(ctx.tenantId, role, param(ctx, 'id'), message as NegotiationMessage, ctx.from)
        : await deps.transfers.onMessage(ctx.tenantId, role, param(ctx, 'id'), message as TransferMessage, ctx.from);
      return r.ok ? { status: 200, body: r.value } : failureReply(area, r, message);
    };
  }

  /** The state of our negotiation or transfer `:id` in `role`, as its counter-party may read it. */
  function processState(area: 'negotiation' | 'transfer', role: 'provider' | 'consumer') {
    return async (ctx: Ctx): Promise<Reply> => {
      const g = area === 'negotiation'
        ? await deps.negotiations.get(ctx.tenantId, role, param(ctx, 'id'), ctx.from)
        : await deps.transfers.get(ctx.tenantId, role, param(ctx, 'id'), ctx.from);
      return g.ok ? { status: 200, body: g.value } : failureReply(area, g);
    };
  }

  // ---- provider: catalog ----
  add('POST', '/catalog/request', 'catalog', async (ctx) => {
    const m = await decode(ctx, 'CatalogRequestMessage');
    if (!m.ok) return failureReply('catalog', m);
    if (m.value.filter !== undefined && m.value.filter.length > 0) return failureReply('catalog', fail('bad-request', 'catalog filters are not supported'));
    const offset = Math.max(0, Number.parseInt(String(ctx.query['offset'] ?? '0'), 10) || 0);
    const limit = Math.min(500, Math.max(1, Number.parseInt(String(ctx.query['limit'] ?? pageSize), 10) || pageSize));
    const v = await view(ctx);
    const page = await deps.db.withTenant(ctx.tenantId, (tx) => deps.catalog.catalog(tx, ctx.from, v, { offset, limit }), inReadOnlyRequestOf(ctx.from));
    const links: string[] = [];
    const url = `${v.dspBase}/catalog/request`;
    if (offset + limit < page.total) links.push(`<${url}?offset=${offset + limit}&limit=${limit}>; rel="next"`);
    if (offset > 0) links.push(`<${url}?offset=${Math.max(0, offset - limit)}&limit=${limit}>; rel="previous"`);
    return { status: 200, body: page.catalog, ...(links.length > 0 ? { headers: { link: links.join(', ') } } : {}) };
  });
  add('GET', '/catalog/datasets/:id', 'catalog', async (ctx) => {
    const v = await view(ctx);
    const d = await deps.db.withTenant(ctx.tenantId, (tx) => deps.catalog.dataset(tx, ctx.from, v, param(ctx, 'id')), inReadOnlyRequestOf(ctx.from));
    return d.ok ? { status: 200, body: { type: 'Dataset', ...d.value } } : failureReply('catalog', d);
  });

  // ---- provider: negotiation ----
  add('GET', '/negotiations/:id', 'negotiation', processState('negotiation', 'provider'));
  add('POST', '/negotiations/request', 'negotiation', initialMessage('negotiation', 'ContractRequestMessage',
    (m) => (m.providerPid !== undefined ? 'an initial request must not carry a providerPid' : undefined),
    (ctx, m) => deps.negotiations.onRequest(ctx.tenantId, ctx.dialect, m, ctx.from)));
  add('POST', '/negotiations/:id/request', 'negotiation', processMessage('negotiation', 'provider', 'ContractRequestMessage'));
  add('POST', '/negotiations/:id/events', 'negotiation', processMessage('negotiation', 'provider', 'ContractNegotiationEventMessage'));
  add('POST', '/negotiations/:id/agreement/verification', 'negotiation', processMessage('negotiation', 'provider', 'ContractAgreementVerificationMessage'));
  add('POST', '/negotiations/:id/termination', 'negotiation', processMessage('negotiation', 'provider', 'ContractNegotiationTerminationMessage'));

  /** A transfer process's endpoints in `role` below `base`: its state, and the four messages either side may send. */
  function transferProcess(base: string, role: 'provider' | 'consumer'): void {
    add('GET', `${base}/:id`, 'transfer', processState('transfer', role));
    for (const [verb, type] of TRANSFER_MESSAGES) add('POST', `${base}/:id/${verb}`, 'transfer', processMessage('transfer', role, type));
  }

  // ---- provider: transfer ----
  add('POST', '/transfers/request', 'transfer', initialMessage('transfer', 'TransferRequestMessage', () => undefined,
    (ctx, m) => deps.transfers.onRequest(ctx.tenantId, ctx.dialect, m, ctx.from)));
  transferProcess('/transfers', 'provider');

  // ---- consumer callbacks (our callbackAddress is `<dsp base>/callback`) ----
  add('GET', '/callback/negotiations/:id', 'negotiation', processState('negotiation', 'consumer'));
  // Provider-initiated negotiation: the provider's initial offer (its callbackAddress is where our answers go).
  add('POST', '/callback/negotiations/offers', 'negotiation', initialMessage('negotiation', 'ContractOfferMessage',
    (m) => (m.consumerPid !== undefined ? 'an initial offer must not carry a consumerPid' : m.callbackAddress === undefined ? 'an initial offer needs a callbackAddress' : undefined),
    (ctx, m) => deps.negotiations.onOffer(ctx.tenantId, ctx.dialect, m, ctx.from)));
  add('POST', '/callback/negotiations/:id/offers', 'negotiation', processMessage('negotiation', 'consumer', 'ContractOfferMessage'));
  add('POST', '/callback/negotiations/:id/agreement', 'negotiation', processMessage('negotiation', 'consumer', 'ContractAgreementMessage'));
  add('POST', '/callback/negotiations/:id/events', 'negotiation', processMessage('negotiation', 'consumer', 'ContractNegotiationEventMessage'));
  add('POST', '/callback/negotiations/:id/termination', 'negotiation', processMessage('negotiation', 'consumer', 'ContractNegotiationTerminationMessage'));
  transferProcess('/callback/transfers', 'consumer');

  function encode(dialect: DspDialect, reply: Reply): DspAnswer {
    const json = reply.body === undefined ? undefined : JSON.stringify(encodeOutbound(deps.codec, reply.body, dialect));
    return { status: reply.status, ...(reply.headers !== undefined ? { headers: reply.headers } : {}), ...(json !== undefined ? { json } : {}) };
  }

  return {
    list: entries,

    find(method, path) {
      const segments = path.split('/').slice(1);
      // A literal segment wins over a parameter (`/negotiations/request` is not `/negotiations/:id` with id "request").
      let found: { endpoint: Entry; params: Record<string, string> } | undefined;
      let foundLiterals = -1;
      for (const e of entries) {
        if (e.method !== method || e.segments.length !== segments.length) continue;
        const params: Record<string, string> = {};
        let literals = 0;
        let matches = true;
        for (let i = 0; i < segments.length && matches; i++) {
          const pattern = e.segments[i] as string;
          const segment = segments[i] as string;
          if (pattern.startsWith(':')) {
            const value = segment === '' ? undefined : decodePathSegment(segment);
            if (value === undefined) matches = false;
            else params[pattern.slice(1)] = value;
          } else if (pattern === segment) literals++;
          else matches = false;
        }
        if (matches && literals > foundLiterals) {
          found = { endpoint: e, params };
          foundLiterals = literals;
        }
      }
      return found;
    },

    async serve(endpoint, request) {
      const entry = endpoint as Entry;
      const refused = (): DspAnswer => encode(request.dialect, failureReply(entry.area, fail('unauthorized', 'not authenticated')));
      // A path naming no possible tenant is answered like an unknown one, before any lookup.
      if (!isValidTenantId(request.tenantId)) return refused();
      let admission: ReplayAdmission | undefined;
      try {
        const auth = await deps.auth.authenticate(request.tenantId, request.authorization);
        if (!auth.ok) return encode(request.dialect, failureReply(entry.area, auth));
        admission = auth.value.admission;
        const reply = await entry.work({ ...request, from: auth.value });
        // The token id is recorded before any answer: in the request's first transaction (which a replay aborts, with
        // every effect of it), or here when the request opened none.
        if (admission !== undefined && !(await admission.confirm())) return refused();
        return encode(request.dialect, reply);
      } catch (err) {
        if (admission?.state === 'replayed') return refused();
        try {
          // A failed request spends its token id too: it must not be replayed in a second attempt.
          if (admission?.state === 'open' && !(await admission.confirm())) return refused();
        } catch {
          // The fault below is reported; the id stays unrecorded only if the database is unreachable.
        }
        const errorId = randomUUID();
        deps.onError?.(err, errorId);
        return { status: 500, json: JSON.stringify({ errorId }) };
      }
    },
  };
}
