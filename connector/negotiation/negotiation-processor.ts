// Negotiation processors: one per pending state, each sends our DSP message; retries with backoff, then TERMINATED.
import { serializePolicy, type Policy } from '../../policies/index';
import { deferAudit } from '../audit/audit-log';
import type { DspClient, DspSendResult } from '../dsp/client/dsp-client';
import type { DspDialect } from '../dsp/dialects';
import type { ContractNegotiationAck } from '../dsp/messages';
import type { Database } from '../store/database';
import { createContractNegotiationMachine, type ContractNegotiation, type NegotiationState } from './contract-negotiation';
import { negotiationEventName, type CallbackAddress, type ProcessEventSink } from './control-plane-events';
import { asPolicy, isPending } from './negotiation-service';
import type { NegotiationStore, StoredNegotiation } from './negotiation-store';
import { REDONE_IF_LOST, unlessChangedConcurrently } from './process-table';
import type { RecentProcesses } from './recent-processes';
import { createWorkRunner, retryOrFail, runnerSettings, type WorkRunner } from './work-runner';

export interface RetryPolicy {
  /** Sends attempted per state before giving up (default 5). */
  readonly maxAttempts?: number;
  /** First retry delay (default 500 ms), doubled per attempt up to `maxDelayMs` (default 30 s). */
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
}

export interface NegotiationProcessorDeps {
  readonly db: Pick<Database, 'withTenant'>;
  readonly store: NegotiationStore;
  readonly client: DspClient;
  readonly now: () => Date;
  /** Unique id of this process (lease owner). */
  readonly owner: string;
  listTenants(): Promise<readonly string[]>;
  /** Our callbackAddress for a tenant and dialect (consumer callbacks are served below it). */
  callbackAddress(tenantId: string, dialect: DspDialect): string;
  /** Our provider DSP base for a tenant and dialect (2024-1/0.8 agreement messages must carry a callbackAddress). */
  dspBase(tenantId: string, dialect: DspDialect): string;
  readonly retry?: RetryPolicy;
  readonly leaseMs?: number;
  /** Rows claimed per transaction (default 16). */
  readonly batchSize?: number;
  readonly pollIntervalMs?: number;
  readonly events?: ProcessEventSink;
  readonly onError?: (err: unknown, context: string) => void;
  /** Rows this runtime committed last, shared with the service: each save is reported, and waited for by its reads. */
  readonly recent?: RecentProcesses<ContractNegotiation>;
}

type Ack = { providerPid?: string; consumerPid?: string } | undefined;
type Send = (n: ContractNegotiation) => Promise<DspSendResult<Ack>>;

function policyOut(value: unknown): Policy {
  const p = asPolicy(value);
  if (!p.ok) throw new Error(`stored policy cannot be read: ${p.message}`);
  return p.value;
}

function serialized(dialect: DspDialect, value: unknown): Readonly<Record<string, unknown>> {
  return serializePolicy(policyOut(value), dialect === '2025-1' ? 'dsp-2025-1' : 'dsp-2024-1');
}

export function createNegotiationProcessor(deps: NegotiationProcessorDeps): WorkRunner<StoredNegotiation> {
  const machine = createContractNegotiationMachine({ now: deps.now });
  const maxAttempts = deps.retry?.maxAttempts ?? 5;
  const base = deps.retry?.baseDelayMs ?? 500;
  const max = deps.retry?.maxDelayMs ?? 30_000;
  const { client, store } = deps;

  const pids = (n: ContractNegotiation) => ({ providerPid: n.providerPid ?? '', consumerPid: n.consumerPid });
  const toProvider = (n: ContractNegotiation, path: string) => ({ tenantId: n.tenantId, counterPartyId: n.counterPartyId, baseUrl: n.counterPartyAddress, dialect: n.dialect, path });

  /** One processor per pending state: what to send. */
  const processors: Partial<Record<NegotiationState, Send>> = {
    REQUESTING: async (n) => {
      const offer = serialized(n.dialect, n.offerPolicy);
      const callbackAddress = deps.callbackAddress(n.tenantId, n.dialect);
      if (n.providerPid === undefined) {
        const r = await client.send({ ...toProvider(n, '/negotiations/request'), expect: 'ContractNegotiation', message: { type: 'ContractRequestMessage', consumerPid: n.consumerPid, callbackAddress, offer } });
        return r.ok ? { ok: true, value: { providerPid: (r.value as ContractNegotiationAck).providerPid } } : r;
      }
      return client.send({ ...toProvider(n, `/negotiations/${encodeURIComponent(n.providerPid)}/request`), message: { type: 'ContractRequestMessage', ...pids(n), callbackAddress, offer } }) as Promise<DspSendResult<Ack>>;
    },
    OFFERING: async (n) => {
      const offer = serialized(n.dialect, n.offerPolicy);
      const callbackAddress = deps.dspBase(n.tenantId, n.dialect);
      if (n.consumerPid === '') {
        // Provider-initiated: the consumer's ACK names its consumerPid.
        const r = await client.send({ ...toProvider(n, '/negotiations/offers'), expect: 'ContractNegotiation', message: { type: 'ContractOfferMessage', providerPid: n.providerPid ?? n.id, callbackAddress, offer } });
        return r.ok ? { ok: true, value: { consumerPid: (r.value as ContractNegotiationAck).consumerPid } } : r;
      }
      return client.send({ ...toProvider(n, `/negotiations/${encodeURIComponent(n.consumerPid)}/offers`), message: { type: 'ContractOfferMessage', ...pids(n), callbackAddress, offer } }) as Promise<DspSendResult<Ack>>;
    },
    ACCEPTING: (n) => client.send({ ...toProvider(n, `/negotiations/${encodeURIComponent(n.providerPid ?? '')}/events`), message: { type: 'ContractNegotiationEventMessage', ...pids(n), eventType: 'ACCEPTED' } }) as Promise<DspSendResult<Ack>>,
    VERIFYING: (n) => client.send({ ...toProvider(n, `/negotiations/${encodeURIComponent(n.providerPid ?? '')}/agreement/verification`), message: { type: 'ContractAgreementVerificationMessage', ...pids(n) } }) as Promise<DspSendResult<Ack>>,
    AGREEING: (n) => {
      const agreement = policyOut(n.agreementPolicy);
      return client.send({
        ...toProvider(n, `/negotiations/${encodeURIComponent(n.consumerPid)}/agreement`),
        message: { type: 'ContractAgreementMessage', ...pids(n), agreement: serialized(n.dialect, agreement), timestamp: agreement.timestamp, callbackAddress: deps.dspBase(n.tenantId, n.dialect) },
      }) as Promise<DspSendResult<Ack>>;
    },
    FINALIZING: (n) => client.send({ ...toProvider(n, `/negotiations/${encodeURIComponent(n.consumerPid)}/events`), message: { type: 'ContractNegotiationEventMessage', ...pids(n), eventType: 'FINALIZED' } }) as Promise<DspSendResult<Ack>>,
    TERMINATING: (n) => {
      const path = n.role === 'provider' ? `/negotiations/${encodeURIComponent(n.consumerPid)}/termination` : `/negotiations/${encodeURIComponent(n.providerPid ?? '')}/termination`;
      const reason = n.errorDetail !== undefined ? [n.errorDetail] : undefined;
      return client.send({ ...toProvider(n, path), message: { type: 'ContractNegotiationTerminationMessage', ...pids(n), ...(reason !== undefined ? { reason } : {}) } }) as Promise<DspSendResult<Ack>>;
    },
  };

  async function save(stored: StoredNegotiation, next: ContractNegotiation, dueAt: number | null): Promise<void> {
    // One round trip: the version-checked UPDATE and the audit travel with COMMIT; a row changed meanwhile (a newer
    // message was applied) fails the commit, and this stale result is dropped.
    // Not durable: a save lost in a database crash is a crash before the save, which the processor survives anyway (the
    // row is still due, the message is sent again and acknowledged idempotently); durable commits are flushed in order.
    const saving = unlessChangedConcurrently(deps.db.withTenant(stored.entity.tenantId, async (tx) => {
      const s = store.updateAtCommit(tx, stored, next, { dueAt });
      if (next.state !== stored.entity.state) {
        deferAudit(tx, { actor: 'system', action: `negotiation.${next.state.toLowerCase()}`, target: `negotiation/${next.id}`, after: { state: next.state, errorDetail: next.errorDetail } }, deps.now());
      }
      return s;
    }, REDONE_IF_LOST));
    const saved = await (deps.recent?.saving(stored.entity.tenantId, stored.entity.id, saving) ?? saving);
    if (saved === undefined || deps.events === undefined || saved.entity.state === stored.entity.state) return;
    const ev = negotiationEventName(saved.entity.state);
    const callbacks = (saved.extra['callbackAddresses'] ?? []) as CallbackAddress[];
    if (ev !== undefined && callbacks.length > 0) {
      deps.events.emit({ tenantId: saved.entity.tenantId, ...ev, callbackAddresses: callbacks, payload: { contractNegotiationId: saved.entity.id, counterPartyId: saved.entity.counterPartyId, ...(saved.entity.agreementId !== undefined ? { contractAgreementId: saved.entity.agreementId } : {}) } });
    }
  }

  async function handle(_tenantId: string, stored: StoredNegotiation): Promise<number | undefined> {
    const n = stored.entity;
    const processor = processors[n.state];
    if (processor === undefined || !isPending(n)) {
      await save(stored, n, null);
      return undefined;
    }
    const unanswered = n.role === 'consumer' ? n.providerPid === undefined : n.consumerPid === '';
    if (n.state === 'TERMINATING' && unanswered) {
      const ended = machine.fail(n, n.errorDetail ?? 'terminated before the counter-party answered');
      if (ended.ok) await save(stored, ended.value, null);
      return undefined;
    }
    let result: DspSendResult<Ack>;
    try {
      result = await processor(n);
    } catch (err) {
      result = { ok: false, reason: 'bad-request', message: (err as Error).message, retryable: false };
    }
    if (result.ok) {
      const acked = machine.acknowledged(n, result.value ?? {});
      if (acked.ok) await save(stored, acked.value, null);
      return undefined;
    }
    const settled = retryOrFail(n, result, { maxAttempts, baseDelayMs: base, maxDelayMs: max, now: deps.now().getTime() }, machine);
    if (settled === undefined) return undefined;
    await save(stored, settled.next, settled.dueAt);
    return settled.dueAt ?? undefined;
  }

  return createWorkRunner<StoredNegotiation>({
    ...runnerSettings(deps), name: 'negotiation-processor', handle,
    claim: (tx, owner, now, leaseMs, limit) => store.claim(tx, owner, now, leaseMs, limit),
  });
}
