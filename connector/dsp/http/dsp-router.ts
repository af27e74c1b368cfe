// All DSP routes of a tenant (provider endpoints and consumer callbacks) for 2025-1, 2024-1 and 0.8, read top to bottom.
import { randomUUID } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import type { CatalogService } from '../../catalog-service/catalog-service';
import type { Participant } from '../../catalog-service/participant';
import { fail, type Failure, type Result } from '../../common/result';
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

export interface DspRouterDeps {
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

type Area = 'catalog' | 'negotiation' | 'transfer';
interface Reply { status: number; body?: OutboundDspMessage; headers?: Record<string, string> }
interface Ctx { tenantId: string; dialect: DspDialect; from: Participant; req: Request }

const DIALECT_PREFIXES: readonly [string, DspDialect][] = [['/2025-1', '2025-1'], ['/2024-1', '2024-1'], ['/', '0.8']];

function ids(message: unknown): { providerPid?: string; consumerPid?: string } {
  const m = (message ?? {}) as Record<string, unknown>;
  return {
    ...(typeof m['providerPid'] === 'string' && m['providerPid'] !== '' ? { providerPid: m['providerPid'] } : {}),
    ...(typeof m['consumerPid'] === 'string' && m['consumerPid'] !== '' ? { consumerPid: m['consumerPid'] } : {}),
  };
}

function failureReply(area: Area, failure: Failure, message?: unknown): Reply {
  if (area === 'catalog') return catalogError(failure);
  const e = area === 'negotiation' ? negotiationError(failure, ids(message)) : transferError(failure, ids(message));
  return e.body === undefined ? { status: e.status } : { status: e.status, body: e.body };
}

export function createDspRouter(deps: DspRouterDeps): Router {
  const root = Router({ mergeParams: true });
  const pageSize = deps.pageSize ?? 50;

  function send(res: Response, dialect: DspDialect, reply: Reply): void {
    for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v);
    if (reply.body === undefined) {
      res.status(reply.status).end();
      return;
    }
    res.status(reply.status).type('application/json').send(JSON.stringify(encodeOutbound(deps.codec, reply.body, dialect)));
  }

  /** authenticate → (decode) → handle → encode; unexpected faults become 500 with an error id only. */
  function handler(dialect: DspDialect, area: Area, work: (ctx: Ctx) => Promise<Reply>) {
    return async (req: Request, res: Response): Promise<void> => {
      try {
        const tenantId = String((req.params as Record<string, string>)['tenantId'] ?? '');
        const auth = await deps.auth.authenticate(tenantId, req.get('authorization'));
        if (!auth.ok) {
          send(res, dialect, failureReply(area, auth));
          return;
        }
        send(res, dialect, await work({ tenantId, dialect, from: auth.value, req }));
      } catch (err) {
        const errorId = randomUUID();
        deps.onError?.(err, errorId);
        if (!res.headersSent) res.status(500).json({ errorId });
      }
    };
  }

  async function decode<T extends DspMessageType>(ctx: Ctx, type: T): Promise<Result<DspMessageMap[T]>> {
    if (ctx.req.body === undefined || ctx.req.body === null) return fail('bad-request', 'a JSON body is required');
    return deps.codec.decode(ctx.req.body, ctx.dialect, type);
  }

  const param = (ctx: Ctx, name: string): string => String((ctx.req.params as Record<string, string>)[name] ?? '');

  async function view(ctx: Ctx) {
    const self = await deps.selfIdentity(ctx.tenantId);
    return { participantId: participantIdIn(ctx.dialect, self), dspBase: deps.dspBase(ctx.tenantId, ctx.dialect), dialect: ctx.dialect };
  }

  /** A negotiation message to our process `:id` in `role`; the message's own pid for that role must be the path id. */
  function negotiationMessage<T extends NegotiationMessage['type']>(role: 'provider' | 'consumer', type: T) {
    return async (ctx: Ctx): Promise<Reply> => {
      const m = await decode(ctx, type);
      if (!m.ok) return failureReply('negotiation', m, ctx.req.body);
      const message = m.value as unknown as NegotiationMessage;
      const own = role === 'provider' ? ids(message).providerPid : ids(message).consumerPid;
      if (own !== param(ctx, 'id')) return failureReply('negotiation', fail('bad-request', `${role === 'provider' ? 'providerPid' : 'consumerPid'} does not match the path`), message);
      const r = await deps.negotiations.onMessage(ctx.tenantId, role, param(ctx, 'id'), message, ctx.from);
      return r.ok ? { status: 200, body: r.value } : failureReply('negotiation', r, message);
    };
  }

  function transferMessage<T extends TransferMessage['type']>(role: 'provider' | 'consumer', type: T) {
    return async (ctx: Ctx): Promise<Reply> => {
      const m = await decode(ctx, type);
      if (!m.ok) return failureReply('transfer', m, ctx.req.body);
      const message = m.value as unknown as TransferMessage;
      const own = role === 'provider' ? ids(message).providerPid : ids(message).consumerPid;
      if (own !== param(ctx, 'id')) return failureReply('transfer', fail('bad-request', `${role === 'provider' ? 'providerPid' : 'consumerPid'} does not match the path`), message);
      const r = await deps.transfers.onMessage(ctx.tenantId, role, param(ctx, 'id'), message, ctx.from);
      return r.ok ? { status: 200, body: r.value } : failureReply('transfer', r, message);
    };
  }

  for (const [prefix, dialect] of DIALECT_PREFIXES) {
    const r = Router({ mergeParams: true });
    const h = (area: Area, work: (ctx: Ctx) => Promise<Reply>) => handler(dialect, area, work);

    // ---- provider: catalog ----
    r.post('/catalog/request', h('catalog', async (ctx) => {
      const m = await decode(ctx, 'CatalogRequestMessage');
      if (!m.ok) return failureReply('catalog', m);
      if (m.value.filter !== undefined && m.value.filter.length > 0) return failureReply('catalog', fail('bad-request', 'catalog filters are not supported'));
      const q = ctx.req.query as Record<string, unknown>;
      const offset = Math.max(0, Number.parseInt(String(q['offset'] ?? '0'), 10) || 0);
      const limit = Math.min(500, Math.max(1, Number.parseInt(String(q['limit'] ?? pageSize), 10) || pageSize));
      const v = await view(ctx);
      const page = await deps.db.withTenant(ctx.tenantId, (tx) => deps.catalog.catalog(tx, ctx.from, v, { offset, limit }));
      const links: string[] = [];
      const url = `${v.dspBase}/catalog/request`;
      if (offset + limit < page.total) links.push(`<${url}?offset=${offset + limit}&limit=${limit}>; rel="next"`);
      if (offset > 0) links.push(`<${url}?offset=${Math.max(0, offset - limit)}&limit=${limit}>; rel="previous"`);
      return { status: 200, body: page.catalog, ...(links.length > 0 ? { headers: { link: links.join(', ') } } : {}) };
    }));
    r.get('/catalog/datasets/:id', h('catalog', async (ctx) => {
      const v = await view(ctx);
      const d = await deps.db.withTenant(ctx.tenantId, (tx) => deps.catalog.dataset(tx, ctx.from, v, param(ctx, 'id')));
      return d.ok ? { status: 200, body: { type: 'Dataset', ...d.value } } : failureReply('catalog', d);
    }));

    // ---- provider: negotiation ----
    r.get('/negotiations/:id', h('negotiation', async (ctx) => {
      const g = await deps.negotiations.get(ctx.tenantId, 'provider', param(ctx, 'id'), ctx.from);
      return g.ok ? { status: 200, body: g.value } : failureReply('negotiation', g);
    }));
    r.post('/negotiations/request', h('negotiation', async (ctx) => {
      const m = await decode(ctx, 'ContractRequestMessage');
      if (!m.ok) return failureReply('negotiation', m, ctx.req.body);
      if (m.value.providerPid !== undefined) return failureReply('negotiation', fail('bad-request', 'an initial request must not carry a providerPid'), m.value);
      const out = await deps.negotiations.onRequest(ctx.tenantId, ctx.dialect, m.value, ctx.from);
      return out.ok ? { status: 201, body: out.value.ack } : failureReply('negotiation', out, m.value);
    }));
    r.post('/negotiations/:id/request', h('negotiation', negotiationMessage('provider', 'ContractRequestMessage')));
    r.post('/negotiations/:id/events', h('negotiation', negotiationMessage('provider', 'ContractNegotiationEventMessage')));
    r.post('/negotiations/:id/agreement/verification', h('negotiation', negotiationMessage('provider', 'ContractAgreementVerificationMessage')));
    r.post('/negotiations/:id/termination', h('negotiation', negotiationMessage('provider', 'ContractNegotiationTerminationMessage')));

    // ---- provider: transfer ----
    r.get('/transfers/:id', h('transfer', async (ctx) => {
      const g = await deps.transfers.get(ctx.tenantId, 'provider', param(ctx, 'id'), ctx.from);
      return g.ok ? { status: 200, body: g.value } : failureReply('transfer', g);
    }));
    r.post('/transfers/request', h('transfer', async (ctx) => {
      const m = await decode(ctx, 'TransferRequestMessage');
      if (!m.ok) return failureReply('transfer', m, ctx.req.body);
      const out = await deps.transfers.onRequest(ctx.tenantId, ctx.dialect, m.value, ctx.from);
      return out.ok ? { status: 201, body: out.value.ack } : failureReply('transfer', out, m.value);
    }));
    r.post('/transfers/:id/start', h('transfer', transferMessage('provider', 'TransferStartMessage')));
    r.post('/transfers/:id/completion', h('transfer', transferMessage('provider', 'TransferCompletionMessage')));
    r.post('/transfers/:id/suspension', h('transfer', transferMessage('provider', 'TransferSuspensionMessage')));
    r.post('/transfers/:id/termination', h('transfer', transferMessage('provider', 'TransferTerminationMessage')));

    // ---- consumer callbacks (our callbackAddress is `<dsp base>/callback`) ----
    r.get('/callback/negotiations/:id', h('negotiation', async (ctx) => {
      const g = await deps.negotiations.get(ctx.tenantId, 'consumer', param(ctx, 'id'), ctx.from);
      return g.ok ? { status: 200, body: g.value } : failureReply('negotiation', g);
    }));
    // Provider-initiated negotiation: the provider's initial offer (its callbackAddress is where our answers go).
    r.post('/callback/negotiations/offers', h('negotiation', async (ctx) => {
      const m = await decode(ctx, 'ContractOfferMessage');
      if (!m.ok) return failureReply('negotiation', m, ctx.req.body);
      if (m.value.consumerPid !== undefined) return failureReply('negotiation', fail('bad-request', 'an initial offer must not carry a consumerPid'), m.value);
      if (m.value.callbackAddress === undefined) return failureReply('negotiation', fail('bad-request', 'an initial offer needs a callbackAddress'), m.value);
      const out = await deps.negotiations.onOffer(ctx.tenantId, ctx.dialect, m.value, ctx.from);
      return out.ok ? { status: 201, body: out.value.ack } : failureReply('negotiation', out, m.value);
    }));
    r.post('/callback/negotiations/:id/offers', h('negotiation', negotiationMessage('consumer', 'ContractOfferMessage')));
    r.post('/callback/negotiations/:id/agreement', h('negotiation', negotiationMessage('consumer', 'ContractAgreementMessage')));
    r.post('/callback/negotiations/:id/events', h('negotiation', negotiationMessage('consumer', 'ContractNegotiationEventMessage')));
    r.post('/callback/negotiations/:id/termination', h('negotiation', negotiationMessage('consumer', 'ContractNegotiationTerminationMessage')));
    r.get('/callback/transfers/:id', h('transfer', async (ctx) => {
      const g = await deps.transfers.get(ctx.tenantId, 'consumer', param(ctx, 'id'), ctx.from);
      return g.ok ? { status: 200, body: g.value } : failureReply('transfer', g);
    }));
    r.post('/callback/transfers/:id/start', h('transfer', transferMessage('consumer', 'TransferStartMessage')));
    r.post('/callback/transfers/:id/completion', h('transfer', transferMessage('consumer', 'TransferCompletionMessage')));
    r.post('/callback/transfers/:id/suspension', h('transfer', transferMessage('consumer', 'TransferSuspensionMessage')));
    r.post('/callback/transfers/:id/termination', h('transfer', transferMessage('consumer', 'TransferTerminationMessage')));

    root.use(prefix, r);
  }
  return root;
}

/** Our callbackAddress for a tenant and dialect: the DSP base plus `/callback`. */
export function callbackAddressOf(dspBase: string): string {
  return `${dspBase.replace(/\/+$/, '')}/callback`;
}
