// Outbound DSP: encodes a message for the counter-party's dialect, authenticates with DCP and posts it via the SSRF-safe client.
import type { OutboundHttpClient } from '../../common/outbound-http';
import { fail, type Failure, ok } from '../../common/result';
import type { DspCodec } from '../codec';
import { DSPACE_2025_1_CONTEXT_URL, type DspDialect } from '../dialects';
import type { DspMessageMap, DspMessageType, OutboundDspMessage } from '../messages';

export const CX_POLICY_CONTEXT_URL = 'https://w3id.org/catenax/2025/9/policy/context.jsonld';

/** A failed exchange; `retryable` when trying again may help (network, 5xx, 409/429), not for 4xx refusals. */
export interface DspSendFailure extends Failure {
  readonly retryable: boolean;
  readonly status?: number;
}

export type DspSendResult<T> = { readonly ok: true; readonly value: T } | DspSendFailure;

export interface DspClientDeps {
  readonly http: OutboundHttpClient;
  readonly codec: DspCodec;
  /** The `Authorization` header value for a request from `tenantId` to `partnerDid` (DCP SI token). */
  authorizationFor(tenantId: string, partnerDid: string): Promise<string>;
  /**
   * Maps a counter-party id that is not a DID (a BPNL for DSP 0.8) to its DID; undefined when unknown. `tenantId` is
   * the tenant the request is made for (a BDRS lookup authenticates with that tenant's membership credential).
   */
  resolveDid?(counterPartyId: string, tenantId: string): Promise<string | undefined>;
  readonly timeoutMs?: number;
}

export interface DspSendRequest<E extends DspMessageType | undefined> {
  readonly tenantId: string;
  /** DID or BPN of the counter-party. */
  readonly counterPartyId: string;
  /** The counter-party's base (DSP base for providers, callbackAddress for consumers). */
  readonly baseUrl: string;
  /** Path below the base, starting with `/`. */
  readonly path: string;
  readonly dialect: DspDialect;
  /** The message to POST; omit for a GET. */
  readonly message?: OutboundDspMessage;
  /** The response type to decode (e.g. `ContractNegotiation` for a 201 ACK); undefined ignores the body. */
  readonly expect?: E;
}

export interface DspClient {
  /**
   * Sends one DSP request. Success only for 2xx (and, when `expect` is set, a body that decodes as that type).
   * Never throws for network, status or decoding problems; those are failures with `retryable` set.
   */
  send<E extends DspMessageType | undefined>(request: DspSendRequest<E>): Promise<DspSendResult<E extends DspMessageType ? DspMessageMap[E] : undefined>>;
  /** Like `send`, returning the counter-party's JSON body as received (management catalog requests relay it). */
  fetchJson(request: DspSendRequest<undefined>): Promise<DspSendResult<unknown>>;
}

function sendFailure(reason: Failure['reason'], message: string, retryable: boolean, status?: number): DspSendFailure {
  return { ...fail(reason, message), retryable, ...(status !== undefined ? { status } : {}) };
}

/** The message's JSON; 2025-1 messages carrying ODRL policies also list the Catena-X policy context. */
export function encodeOutbound(codec: DspCodec, message: OutboundDspMessage, dialect: DspDialect): Record<string, unknown> {
  const body = codec.encode(message, dialect);
  const carriesPolicy = message.type === 'ContractRequestMessage' || message.type === 'ContractOfferMessage' || message.type === 'ContractAgreementMessage'
    || message.type === 'Catalog' || message.type === 'Dataset';
  if (dialect === '2025-1' && carriesPolicy) body['@context'] = [DSPACE_2025_1_CONTEXT_URL, CX_POLICY_CONTEXT_URL];
  return body;
}

/** Joins a base URL and a path, coping with and without a trailing `/` on the base. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path}`;
}

export function createDspClient(deps: DspClientDeps): DspClient {
  async function didOf(counterPartyId: string, tenantId: string): Promise<string | undefined> {
    if (counterPartyId.startsWith('did:')) return counterPartyId;
    return deps.resolveDid?.(counterPartyId, tenantId);
  }

  async function exchange(request: DspSendRequest<DspMessageType | undefined>): Promise<DspSendResult<{ status: number; json: unknown }>> {
      type Out = DspSendResult<never>;
      const did = await didOf(request.counterPartyId, request.tenantId);
      if (did === undefined) return sendFailure('bad-request', `no DID known for counter-party ${request.counterPartyId}`, false) as Out;
      let authorization: string;
      try {
        authorization = await deps.authorizationFor(request.tenantId, did);
      } catch (err) {
        return sendFailure('bad-request', `cannot create our identity token: ${(err as Error).message}`, true) as Out;
      }
      const body = request.message === undefined ? undefined : JSON.stringify(encodeOutbound(deps.codec, request.message, request.dialect));
      const res = await deps.http.request({
        url: joinUrl(request.baseUrl, request.path),
        method: body === undefined ? 'GET' : 'POST',
        headers: { authorization, accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body,
        timeoutMs: deps.timeoutMs,
      });
      if (!res.ok) {
        const retryable = res.reason === 'timeout' || res.reason === 'connection-failed' || res.reason === 'dns-failure';
        return sendFailure('bad-request', `${res.reason}: ${res.message}`, retryable) as Out;
      }
      const { status } = res.value;
      if (status < 200 || status > 299) {
        const retryable = status >= 500 || status === 409 || status === 429 || status === 408;
        const reason = status === 404 || status === 401 || status === 403 ? 'not-found' : status === 409 ? 'conflict' : 'bad-request';
        const text = res.value.body.toString('utf8').slice(0, 300);
        return sendFailure(reason, `counter-party answered HTTP ${status}${text === '' ? '' : `: ${text}`}`, retryable, status) as Out;
      }
      let json: unknown;
      try {
        json = res.value.body.length === 0 ? null : JSON.parse(res.value.body.toString('utf8'));
      } catch {
        return sendFailure('bad-request', 'counter-party answered with a body that is not JSON', false, status) as Out;
      }
      return ok({ status, json });
  }

  return {
    async fetchJson(request) {
      const r = await exchange(request);
      return r.ok ? ok(r.value.json) : r;
    },
    async send(request) {
      type Out = DspSendResult<never>;
      const r = await exchange(request);
      if (!r.ok) return r;
      const { status, json } = r.value;
      if (request.expect === undefined) return ok(undefined) as Out;
      const decoded = await deps.codec.decode(json, request.dialect, request.expect);
      if (!decoded.ok) return sendFailure('bad-request', `counter-party answer: ${decoded.message}`, false, status) as Out;
      return ok(decoded.value) as Out;
    },
  };
}
