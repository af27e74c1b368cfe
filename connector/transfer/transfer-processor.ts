// Transfer processors: one per pending state; STARTING on the provider (start or resume) mints a fresh data-plane token and sends the EDR.
import { deferAudit } from '../audit/audit-log';
import type { TokenMinter } from '../credentials/token-minter';
import type { DspClient, DspSendResult } from '../dsp/client/dsp-client';
import type { DspDialect } from '../dsp/dialects';
import type { DataAddress, TransferProcessAck } from '../dsp/messages';
import { transferEventName, type CallbackAddress, type ProcessEventSink } from '../negotiation/control-plane-events';
import type { RetryPolicy } from '../negotiation/negotiation-processor';
import { REDONE_IF_LOST, unlessChangedConcurrently, type Lease } from '../negotiation/process-table';
import type { RecentProcesses } from '../negotiation/recent-processes';
import { createWorkRunner, retryOrFail, runnerSettings, type WorkRunner } from '../negotiation/work-runner';
import type { Database } from '../store/database';
import { createTransferProcessMachine, type TransferProcess, type TransferState } from './transfer-process';
import { isTransferPending } from './transfer-service';
import type { TransferLiveness } from './transfer-liveness';
import type { StoredTransfer, TransferStore } from './transfer-store';

export const EDC_NS = 'https://w3id.org/edc/v0.0.1/ns/';
export const TX_AUTH_NS = 'https://w3id.org/tractusx/auth/';
export const HTTP_ENDPOINT_TYPE = 'https://w3id.org/idsa/v4.1/HTTP';

export interface TransferProcessorDeps {
  readonly db: Pick<Database, 'withTenant'>;
  readonly store: TransferStore;
  readonly client: DspClient;
  readonly minter: TokenMinter;
  readonly liveness: Pick<TransferLiveness, 'invalidate'>;
  readonly now: () => Date;
  readonly owner: string;
  /** The connector's public base URL; the PACT host of tenant t is `${publicUrl}/tenants/{t}/pact`. */
  readonly publicUrl: string;
  listTenants(): Promise<readonly string[]>;
  callbackAddress(tenantId: string, dialect: DspDialect): string;
  revokeTokens?(tenantId: string, transferId: string): Promise<void>;
  readonly retry?: RetryPolicy;
  readonly leaseMs?: number;
  /** Rows claimed per transaction (default 16). */
  readonly batchSize?: number;
  readonly pollIntervalMs?: number;
  readonly events?: ProcessEventSink;
  readonly onError?: (err: unknown, context: string) => void;
  /** Rows this runtime committed last, shared with the service: each save is reported, and waited for by its reads. */
  readonly recent?: RecentProcesses<TransferProcess>;
}

/** The PACT host of a provider tenant (the data address endpoint). */
export function pactEndpoint(publicUrl: string, tenantId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/tenants/${encodeURIComponent(tenantId)}/pact`;
}

/** The EDR in EDC / Tractus-X form: endpoint, token, bearer, expiry and refresh properties as endpoint properties. */
export function buildDataAddress(o: { endpoint: string; token: string; expiresInSeconds: number; refreshToken?: string; refreshAudience?: string }): DataAddress {
  const props = [
    { name: `${EDC_NS}endpoint`, value: o.endpoint },
    { name: `${EDC_NS}endpointType`, value: HTTP_ENDPOINT_TYPE },
    { name: `${EDC_NS}authorization`, value: o.token },
    { name: `${EDC_NS}authType`, value: 'bearer' },
    { name: `${TX_AUTH_NS}expiresIn`, value: String(o.expiresInSeconds) },
  ];
  if (o.refreshToken !== undefined) {
    props.push({ name: `${TX_AUTH_NS}refreshToken`, value: o.refreshToken }, { name: `${TX_AUTH_NS}refreshEndpoint`, value: `${o.endpoint}/token` });
    if (o.refreshAudience !== undefined) props.push({ name: `${TX_AUTH_NS}refreshAudience`, value: o.refreshAudience });
  }
  return { endpointType: HTTP_ENDPOINT_TYPE, endpoint: o.endpoint, endpointProperties: props };
}

type Outcome = DspSendResult<{ providerPid?: string } | undefined> | { ok: false; terminate: string };

export function createTransferProcessor(deps: TransferProcessorDeps): WorkRunner<StoredTransfer> {
  const machine = createTransferProcessMachine({ now: deps.now });
  const maxAttempts = deps.retry?.maxAttempts ?? 5;
  const base = deps.retry?.baseDelayMs ?? 500;
  const max = deps.retry?.maxDelayMs ?? 30_000;
  const { client, store } = deps;

  const pids = (t: TransferProcess) => ({ providerPid: t.providerPid ?? '', consumerPid: t.consumerPid });
  const target = (t: TransferProcess, verb: string) => ({
    tenantId: t.tenantId,
    counterPartyId: t.counterPartyId,
    baseUrl: t.counterPartyAddress,
    dialect: t.dialect,
    path: `/transfers/${encodeURIComponent(t.role === 'provider' ? t.consumerPid : (t.providerPid ?? ''))}/${verb}`,
  });
  const reasonOf = (t: TransferProcess) => (t.errorDetail !== undefined ? { reason: [t.errorDetail] } : {});

  async function startAsProvider(t: TransferProcess, stored: StoredTransfer): Promise<Outcome> {
    const consumerBpn = typeof stored.extra['counterPartyBpn'] === 'string' ? stored.extra['counterPartyBpn'] : undefined;
    // Only the token in the start message being sent opens the data plane: earlier ones (before a suspension, or of a
    // failed attempt) lose their refresh tokens as the new one is stored (`supersede`), and their binding below.
    // The binding (only the newest token's) commits with the token's refresh token, in one round trip.
    const minted = await deps.minter.mint({
      tenantId: t.tenantId, agreementId: t.agreementId, transferId: t.id, consumer: { did: t.counterPartyId, ...(consumerBpn !== undefined ? { bpn: consumerBpn } : {}) }, supersede: true,
      alongside: async (writes, m) => {
        await store.deleteBindings(writes, t.id);
        await store.saveBinding(writes, {
          binding: m.binding, transferId: t.id, agreementId: t.agreementId, consumerDid: t.counterPartyId, ...(consumerBpn !== undefined ? { consumerBpn } : {}),
          expiresAt: m.refreshExpiresAt?.getTime() ?? m.expiresAt.getTime(), createdAt: deps.now().getTime(),
        });
      },
    });
    if (!minted.ok) return minted.retryable ? { ok: false, reason: minted.reason, message: `token minting: ${minted.code}`, retryable: true } : { ok: false, terminate: `token minting failed: ${minted.code}` };
    const m = minted.value;
    deps.liveness.invalidate(t.tenantId);
    const dataAddress = buildDataAddress({
      endpoint: pactEndpoint(deps.publicUrl, t.tenantId),
      token: m.token,
      expiresInSeconds: Math.max(0, Math.round((m.expiresAt.getTime() - deps.now().getTime()) / 1000)),
      ...(m.refreshToken !== undefined ? { refreshToken: m.refreshToken, refreshAudience: t.counterPartyId } : {}),
    });
    return client.send({ ...target(t, 'start'), message: { type: 'TransferStartMessage', ...pids(t), dataAddress } }) as Promise<Outcome>;
  }

  const processors: Partial<Record<TransferState, (t: TransferProcess, stored: StoredTransfer) => Promise<Outcome>>> = {
    REQUESTING: async (t) => {
      const r = await client.send({
        tenantId: t.tenantId, counterPartyId: t.counterPartyId, baseUrl: t.counterPartyAddress, dialect: t.dialect, path: '/transfers/request', expect: 'TransferProcess',
        message: { type: 'TransferRequestMessage', consumerPid: t.consumerPid, agreementId: t.agreementId, format: t.format, callbackAddress: deps.callbackAddress(t.tenantId, t.dialect) },
      });
      return r.ok ? { ok: true, value: { providerPid: (r.value as TransferProcessAck).providerPid } } : r;
    },
    STARTING: (t, stored) => (t.role === 'provider' ? startAsProvider(t, stored) : client.send({ ...target(t, 'start'), message: { type: 'TransferStartMessage', ...pids(t) } }) as Promise<Outcome>),
    COMPLETING: (t) => client.send({ ...target(t, 'completion'), message: { type: 'TransferCompletionMessage', ...pids(t) } }) as Promise<Outcome>,
    SUSPENDING: (t) => client.send({ ...target(t, 'suspension'), message: { type: 'TransferSuspensionMessage', ...pids(t), ...reasonOf(t) } }) as Promise<Outcome>,
    TERMINATING: (t) => client.send({ ...target(t, 'termination'), message: { type: 'TransferTerminationMessage', ...pids(t), ...reasonOf(t) } }) as Promise<Outcome>,
  };

  /** Saves `next` over the item being processed (version-checked); the new stored row, or undefined when stale. */
  async function save(stored: StoredTransfer, next: TransferProcess, dueAt: number | null, lease?: Lease): Promise<StoredTransfer | undefined> {
    // One round trip: the version-checked UPDATE and the audit travel with COMMIT; a row changed meanwhile fails the
    // commit, and this stale result is dropped.
    // Not durable: a save lost in a database crash is a crash before the save, which the processor survives anyway (the
    // row is still due, the message is sent again and acknowledged idempotently); durable commits are flushed in order.
    const saving = unlessChangedConcurrently(deps.db.withTenant(next.tenantId, async (tx) => {
      const s = store.updateAtCommit(tx, stored, next, { dueAt, ...(lease !== undefined ? { lease } : {}) });
      if (next.state !== stored.entity.state) {
        deferAudit(tx, { actor: 'system', action: `transfer.${next.state.toLowerCase()}`, target: `transfer/${next.id}`, after: { state: next.state, errorDetail: next.errorDetail } }, deps.now());
      }
      return s;
    }, REDONE_IF_LOST));
    const saved = await (deps.recent?.saving(next.tenantId, next.id, saving) ?? saving);
    if (saved === undefined || saved.entity.state === stored.entity.state) return saved;
    const t = saved.entity;
    if (t.role === 'provider') {
      deps.liveness.invalidate(t.tenantId);
      if ((t.state === 'TERMINATED' || t.state === 'COMPLETED') && deps.revokeTokens !== undefined) await deps.revokeTokens(t.tenantId, t.id);
    }
    const ev = transferEventName(t.state);
    const callbacks = (saved.extra['callbackAddresses'] ?? []) as CallbackAddress[];
    if (deps.events !== undefined && ev !== undefined && callbacks.length > 0) {
      deps.events.emit({ tenantId: t.tenantId, ...ev, callbackAddresses: callbacks, payload: { transferProcessId: t.id, contractId: t.agreementId, type: t.role === 'provider' ? 'PROVIDER' : 'CONSUMER' } });
    }
    return saved;
  }

  async function handle(_tenantId: string, stored: StoredTransfer): Promise<number | undefined> {
    const t = stored.entity;
    const processor = processors[t.state];
    if (processor === undefined || !isTransferPending(t)) {
      await save(stored, t, null);
      return undefined;
    }
    if (t.role === 'consumer' && t.providerPid === undefined && t.state !== 'REQUESTING') {
      const ended = machine.fail(t, t.errorDetail ?? 'ended before the provider answered');
      if (ended.ok) await save(stored, ended.value, null);
      return undefined;
    }
    let result: Outcome;
    try {
      result = await processor(t, stored);
    } catch (err) {
      result = { ok: false, reason: 'bad-request', message: (err as Error).message, retryable: false };
    }
    if (result.ok) {
      const acked = machine.acknowledged(t, result.value?.providerPid !== undefined ? { providerPid: result.value.providerPid } : {});
      if (acked.ok) await save(stored, acked.value, null);
      return undefined;
    }
    if ('terminate' in result) {
      // The termination message is due at once: kept leased and handed back to this runner (no claim in between).
      const next = machine.send(t, 'termination', { errorDetail: result.terminate });
      if (!next.ok) return undefined;
      const dueAt = deps.now().getTime();
      const saved = await save(stored, next.value, dueAt, runner.leaseFor(dueAt));
      if (saved === undefined) return undefined;
      if (saved.lease === undefined) return dueAt;
      runner.handOff(saved.entity.tenantId, saved, saved.lease);
      return undefined;
    }
    const settled = retryOrFail(t, result, { maxAttempts, baseDelayMs: base, maxDelayMs: max, now: deps.now().getTime() }, machine);
    if (settled === undefined) return undefined;
    await save(stored, settled.next, settled.dueAt);
    return settled.dueAt ?? undefined;
  }

  const runner = createWorkRunner<StoredTransfer>({
    ...runnerSettings(deps), name: 'transfer-processor', handle,
    claim: (tx, owner, now, leaseMs, limit) => store.claim(tx, owner, now, leaseMs, limit),
  });
  return runner;
}
