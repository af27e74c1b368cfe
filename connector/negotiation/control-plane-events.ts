// Process events for EDC-style callbackAddresses (webhooks): event names, envelopes and a best-effort HTTP dispatcher.
import { randomUUID } from 'node:crypto';
import type { OutboundHttpClient } from '../common/outbound-http';
import { fail, ok, type Result } from '../common/result';

/** An EDC `CallbackAddress` as given in management requests. */
export interface CallbackAddress {
  readonly uri: string;
  readonly events: readonly string[];
  readonly transactional?: boolean;
  /** Header that carries the secret `authCodeId` names (EDC: resolved from the vault on each delivery). */
  readonly authKey?: string;
  /** Id of a management secret (`/management/v3/secrets`) of the tenant. */
  readonly authCodeId?: string;
}

export interface ProcessEvent {
  readonly tenantId: string;
  /** EDC event class, e.g. `ContractNegotiationFinalized`, `TransferProcessStarted`. */
  readonly type: string;
  /** EDC subscription name, e.g. `contract.negotiation.finalized`. */
  readonly name: string;
  readonly payload: Readonly<Record<string, unknown>>;
  readonly callbackAddresses: readonly CallbackAddress[];
}

/** Receives process events after their transaction committed. */
export interface ProcessEventSink {
  /** Must not throw and must not block the caller (delivery is asynchronous and best effort). */
  emit(event: ProcessEvent): void;
}

const NEGOTIATION_EVENTS: Readonly<Record<string, string>> = {
  REQUESTED: 'Requested', OFFERED: 'Offered', ACCEPTED: 'Accepted', AGREED: 'Agreed', VERIFIED: 'Verified', FINALIZED: 'Finalized', TERMINATED: 'Terminated',
};
const TRANSFER_EVENTS: Readonly<Record<string, string>> = {
  REQUESTED: 'Requested', STARTED: 'Started', SUSPENDED: 'Suspended', COMPLETED: 'Completed', TERMINATED: 'Terminated',
};

/** The event for a negotiation entering `state`, or undefined for states without an EDC event. */
export function negotiationEventName(state: string): { type: string; name: string } | undefined {
  const suffix = NEGOTIATION_EVENTS[state];
  return suffix === undefined ? undefined : { type: `ContractNegotiation${suffix}`, name: `contract.negotiation.${state.toLowerCase()}` };
}

/** The event for a transfer entering `state`, or undefined. */
export function transferEventName(state: string): { type: string; name: string } | undefined {
  const suffix = TRANSFER_EVENTS[state];
  return suffix === undefined ? undefined : { type: `TransferProcess${suffix}`, name: `transfer.process.${state.toLowerCase()}` };
}

/** Reads `callbackAddresses` from a management body leniently; invalid entries are dropped by the caller's validation. */
export function parseCallbackAddresses(value: unknown): CallbackAddress[] {
  const list = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  const out: CallbackAddress[] = [];
  for (const raw of list) {
    if (typeof raw !== 'object' || raw === null) continue;
    const o = raw as Record<string, unknown>;
    const uri = o['uri'];
    const events = Array.isArray(o['events']) ? o['events'].filter((e): e is string => typeof e === 'string') : typeof o['events'] === 'string' ? [o['events']] : [];
    if (typeof uri !== 'string') continue;
    out.push({
      uri,
      events,
      ...(typeof o['transactional'] === 'boolean' ? { transactional: o['transactional'] } : {}),
      ...(typeof o['authKey'] === 'string' ? { authKey: o['authKey'] } : {}),
      ...(typeof o['authCodeId'] === 'string' ? { authCodeId: o['authCodeId'] } : {}),
    });
  }
  return out;
}

/** The secrets callbacks name (`authCodeId`): the tenant's management secrets. */
export interface CallbackSecrets {
  get(tenantId: string, authCodeId: string): Promise<string | undefined>;
}

/**
 * POSTs `{id, at, payload, type}` to every callback whose events prefix-match the event name (EDC semantics). A
 * callback with `authKey` and `authCodeId` gets the secret `authCodeId` names in the `authKey` header; when that secret
 * does not exist the event is not sent there (the failure is reported, never the secret).
 */
export function createCallbackDispatcher(deps: {
  readonly http: OutboundHttpClient;
  readonly now: () => Date;
  readonly secrets?: CallbackSecrets;
  readonly onError?: (message: string) => void;
}): ProcessEventSink {
  async function headersFor(tenantId: string, cb: CallbackAddress): Promise<Result<Record<string, string>>> {
    if (cb.authKey === undefined || cb.authCodeId === undefined) return ok({});
    const secret = await deps.secrets?.get(tenantId, cb.authCodeId).catch(() => undefined);
    return secret === undefined ? fail('not-found', `secret ${cb.authCodeId} (authCodeId) not found`) : ok({ [cb.authKey]: secret });
  }
  return {
    emit(event) {
      for (const cb of event.callbackAddresses) {
        if (!cb.events.some((e) => event.name === e || event.name.startsWith(`${e}.`))) continue;
        const envelope = { id: randomUUID(), at: deps.now().getTime(), payload: event.payload, type: event.type };
        const host = new URL(cb.uri).host;
        void headersFor(event.tenantId, cb).then(async (headers) => {
          if (!headers.ok) return deps.onError?.(`callback ${event.type} to ${host} not sent: ${headers.message}`);
          const r = await deps.http.requestJson({ url: cb.uri, method: 'POST', json: envelope, headers: headers.value, timeoutMs: 5000 });
          if (!r.ok) deps.onError?.(`callback ${event.type} to ${host} failed: ${r.reason}`);
        });
      }
    },
  };
}
