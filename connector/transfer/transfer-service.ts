// Transfer processes, both roles: inbound DSP messages, provider checks (agreement, transfer policy), consumer starts, commands.
import { randomUUID } from 'node:crypto';
import type { PolicyEngine } from '../../policies/index';
import { deferAudit } from '../audit/audit-log';
import { denialReason, inReadOnlyRequestOf, inRequestOf, policyContextOf, senderIdFor, type Participant } from '../catalog-service/participant';
import { fail, ok, type Result } from '../common/result';
import type { DspDialect } from '../dsp/dialects';
import { dspMessageFingerprint } from '../dsp/message-id';
import type { DataAddress, TransferMessage, TransferProcessAck, TransferRequestMessage } from '../dsp/messages';
import { transferEventName, type CallbackAddress, type ProcessEventSink } from '../negotiation/control-plane-events';
import type { ContractAgreementRecord, NegotiationStore } from '../negotiation/negotiation-store';
import { asNewUnlessRepeated, type WriteOptions } from '../negotiation/process-table';
import { createRecentProcesses, onCopy, type ProcessBase, type RecentProcesses } from '../negotiation/recent-processes';
import { checkAgreementAtCommit, type AgreementCopies } from '../negotiation/agreement-copies';
import type { ProcessorHandOff } from '../negotiation/work-runner';
import type { Database, TenantTx } from '../store/database';
import { PULL_FORMAT } from '../catalog-service/catalog-service';
import {
  createTransferProcessMachine,
  transferAck,
  transferPendingTarget,
  type TransferMessageKind,
  type TransferProcess,
  type TransferRole,
} from './transfer-process';
import type { TransferLiveness } from './transfer-liveness';
import type { EdrVault, StoredTransfer, TransferStore } from './transfer-store';

export interface TransferServiceDeps {
  readonly db: Pick<Database, 'withTenant'>;
  readonly store: TransferStore;
  /** Agreements live with negotiations. */
  readonly agreements: Pick<NegotiationStore, 'findAgreement' | 'findAgreementWithNegotiationState'>;
  readonly engine: PolicyEngine;
  readonly now: () => Date;
  readonly vault: EdrVault;
  readonly liveness: Pick<TransferLiveness, 'invalidate'>;
  /** Retires a provider transfer's refresh tokens (local minter `revokeTransferTokens`); optional. */
  revokeTokens?(tenantId: string, transferId: string): Promise<void>;
  /** The transfer processor: rows made due now are written leased to it and handed to it after commit. */
  readonly processor: ProcessorHandOff<StoredTransfer>;
  readonly events?: ProcessEventSink;
  /** Rows this runtime committed last, shared with the processor (which reports its saves); a private one otherwise. */
  readonly recent?: RecentProcesses<TransferProcess>;
  /** Agreements this runtime stored: a transfer starts from the copy, checked at COMMIT, instead of reading it first. */
  readonly agreementCopies?: AgreementCopies;
}

/** Transfers that expect no further message: not worth keeping a copy of. */
export const isFinalTransfer = (t: TransferProcess): boolean => t.state === 'COMPLETED' || t.state === 'TERMINATED';

export interface StartTransfer {
  readonly agreementId: string;
  readonly counterPartyAddress: string;
  readonly dialect: DspDialect;
  readonly format: string;
  readonly callbackAddresses?: readonly CallbackAddress[];
  readonly privateProperties?: Readonly<Record<string, unknown>>;
  readonly actor: string;
}

/** Local commands of the management API. */
export type TransferCommand = 'termination' | 'suspension' | 'start' | 'completion';

export interface TransferService {
  /** Provider: a TransferRequestMessage; idempotent on the consumer's `consumerPid`. */
  onRequest(tenantId: string, dialect: DspDialect, message: TransferRequestMessage, from: Participant): Promise<Result<{ ack: TransferProcessAck; created: boolean }>>;
  /** Either role: another transfer message for our process `id` in `role`. */
  onMessage(tenantId: string, role: TransferRole, id: string, message: TransferMessage, from: Participant): Promise<Result<TransferProcessAck>>;
  get(tenantId: string, role: TransferRole, id: string, from: Participant): Promise<Result<TransferProcessAck>>;
  /** Consumer: requests a transfer under a finalized agreement (REQUESTING, sent by the processor). */
  start(tenantId: string, request: StartTransfer): Promise<Result<StoredTransfer>>;
  /** Either role: terminate, suspend, resume (`start`) or complete our process; the processor sends the message. */
  command(tenantId: string, id: string, command: TransferCommand, reason: string | undefined, actor: string): Promise<Result<StoredTransfer>>;
}

export function isTransferPending(t: { readonly state: string }): boolean {
  return transferPendingTarget(t.state as TransferProcess['state']) !== undefined;
}

const LEAVES_LIVE = new Set(['SUSPENDED', 'COMPLETED', 'TERMINATED', 'SUSPENDING', 'COMPLETING', 'TERMINATING']);
const SUSPENDS = new Set(['SUSPENDING', 'SUSPENDED']);

export function createTransferService(deps: TransferServiceDeps): TransferService {
  const machine = createTransferProcessMachine({ now: deps.now });
  const { store } = deps;
  const recentRows = deps.recent ?? createRecentProcesses<TransferProcess>({ isFinal: isFinalTransfer });

  async function audit(tx: TenantTx, actor: string, t: TransferProcess): Promise<void> {
    deferAudit(tx, { actor, action: `transfer.${t.state.toLowerCase()}`, target: `transfer/${t.id}`, after: { state: t.state, errorDetail: t.errorDetail } }, deps.now());
  }

  /** Due now and leased to the processor when a message is pending (`after` hands the row over); else nothing due. */
  function schedule(pending: boolean): Pick<WriteOptions, 'dueAt' | 'lease'> {
    if (!pending) return { dueAt: null };
    const dueAt = deps.now().getTime();
    const lease = deps.processor.leaseFor(dueAt);
    return lease === undefined ? { dueAt } : { dueAt, lease };
  }

  /**
   * Writes a transfer this transaction has locked (or, `at-commit`, a copy read earlier, version-checked at COMMIT);
   * the UPDATE and its audit record travel with COMMIT.
   */
  async function write(tx: TenantTx, stored: StoredTransfer, next: TransferProcess, actor: string, base: ProcessBase = 'locked'): Promise<StoredTransfer> {
    const options = schedule(isTransferPending(next));
    const saved = base === 'locked' ? store.updateLocked(tx, stored, next, options) : store.updateAtCommit(tx, stored, next, options);
    if (next.state !== stored.entity.state) await audit(tx, actor, next);
    return saved;
  }

  /**
   * After commit: hand the row to the processor, revoke access on the provider side, clean the consumer's EDR, notify.
   * `edr` is the data address a consumer has just sealed (the STARTED event carries it without reading it back).
   */
  async function after(tenantId: string, before: string | undefined, saved: StoredTransfer, edr?: DataAddress): Promise<void> {
    recentRows.committed(saved);
    const t = saved.entity;
    if (saved.lease !== undefined) deps.processor.handOff(tenantId, saved, saved.lease);
    else if (isTransferPending(t)) deps.processor.kick(tenantId);
    if (before === t.state) return;
    if (t.role === 'provider' && LEAVES_LIVE.has(t.state)) {
      // A suspended transfer's tokens never work again: a resume mints new ones (the bindings are what make a token live).
      if (SUSPENDS.has(t.state)) await deps.db.withTenant(tenantId, (tx) => store.deleteBindings(tx, t.id));
      deps.liveness.invalidate(tenantId);
      if (deps.revokeTokens !== undefined && (SUSPENDS.has(t.state) || t.state === 'TERMINATED' || t.state === 'COMPLETED')) await deps.revokeTokens(tenantId, t.id);
    }
    if (t.role === 'consumer' && (t.state === 'TERMINATED' || t.state === 'COMPLETED' || t.state === 'SUSPENDED')) await deps.vault.delete(tenantId, t.id);
    const ev = transferEventName(t.state);
    const callbacks = (saved.extra['callbackAddresses'] ?? []) as CallbackAddress[];
    if (deps.events !== undefined && ev !== undefined && callbacks.length > 0) {
      const address = t.state === 'STARTED' && t.role === 'consumer' ? (edr ?? (await deps.vault.get(tenantId, t.id))) : undefined;
      deps.events.emit({ tenantId, ...ev, callbackAddresses: callbacks, payload: { transferProcessId: t.id, contractId: t.agreementId, type: t.role === 'provider' ? 'PROVIDER' : 'CONSUMER', ...(address !== undefined ? { dataAddress: address } : {}) } });
    }
  }

  /**
   * Provider: the agreement must exist, belong to the caller, and its policy must hold in the transfer scope. From this
   * runtime's copy (`fromCopy`) the agreement is not read: that it is still stored with its negotiation in force is
   * checked at COMMIT, which fails like a stale copy when it is not.
   */
  async function admit(tx: TenantTx, message: TransferRequestMessage, from: Participant, fromCopy: boolean): Promise<Result<{ denied?: string }>> {
    const copy = fromCopy ? deps.agreementCopies?.get(tx.tenantId, message.agreementId) : undefined;
    let agreement = copy?.role === 'provider' ? copy : undefined;
    if (agreement !== undefined) checkAgreementAtCommit(tx, agreement.id, 'provider');
    else {
      const found = await deps.agreements.findAgreementWithNegotiationState(tx, message.agreementId);
      agreement = found?.agreement;
      if (agreement === undefined || agreement.role !== 'provider' || agreement.counterPartyId !== from.did) return fail('bad-request', `unknown agreement ${message.agreementId}`);
      if (!['FINALIZING', 'FINALIZED'].includes(found?.negotiationState ?? '')) return fail('bad-request', `agreement ${message.agreementId} is not in force`);
    }
    if (agreement.counterPartyId !== from.did) return fail('bad-request', `unknown agreement ${message.agreementId}`);
    if (message.format !== PULL_FORMAT) return fail('bad-request', `format ${message.format} is not supported (only ${PULL_FORMAT})`);
    const verdict = deps.engine.evaluate(agreement.policy, 'transfer.process', policyContextOf(from, deps.now(), {
      id: agreement.id, signedAt: new Date(agreement.signingDate), assetId: agreement.assetId, policy: agreement.policy,
    }));
    return ok(verdict.allowed ? {} : { denied: `transfer policy not satisfied: ${denialReason(verdict.explanation)}` });
  }

  return {
    async onRequest(tenantId, dialect, message, from) {
      const messageId = dspMessageFingerprint(message);
      const outcome = await asNewUnlessRepeated((lookFirst) => deps.db.withTenant(tenantId, async (tx): Promise<Result<{ saved: StoredTransfer; created: boolean }>> => {
        const existing = lookFirst ? await store.findBy(tx, { role: 'provider', counter_party_id: from.did, consumer_pid: message.consumerPid }, true) : undefined;
        if (existing !== undefined) {
          const repeat = machine.checkRepeatedRequest(existing.entity, message, from.did);
          return repeat.ok ? ok({ saved: existing, created: false }) : repeat;
        }
        const admitted = await admit(tx, message, from, !lookFirst);
        if (!admitted.ok) return admitted;
        const created = machine.fromRequest({ id: `urn:uuid:${randomUUID()}`, tenantId, dialect, counterPartyId: from.did }, message, { messageId, senderId: from.did });
        const next = admitted.value.denied !== undefined ? machine.send(created, 'termination', { errorDetail: admitted.value.denied }) : machine.send(created, 'start');
        if (!next.ok) return next;
        const saved = store.insertAtCommit(tx, next.value, { ...schedule(true), extra: from.bpn !== undefined ? { counterPartyBpn: from.bpn } : {} });
        await audit(tx, `partner:${from.did}`, created);
        return ok({ saved, created: true });
      }, inRequestOf(from)));
      if (!outcome.ok) return outcome;
      if (outcome.value.created) await after(tenantId, undefined, outcome.value.saved);
      return ok({ ack: transferAck(outcome.value.saved.entity), created: outcome.value.created });
    },

    async onMessage(tenantId, role, id, message, from) {
      const messageId = dspMessageFingerprint(message);
      const actor = `partner:${from.did}`;
      const receive = (stored: StoredTransfer) => machine.receive(stored.entity, message, { messageId, senderId: senderIdFor(stored.entity.counterPartyId, from) });
      // A consumer seals the provider's data address in the transaction that records the start, so STARTED never
      // shows without its EDR and a refused start message leaves the sealed EDR as it was.
      const edr = role === 'consumer' && message.type === 'TransferStartMessage' ? message.dataAddress : undefined;
      const apply = async (tx: TenantTx, stored: StoredTransfer, next: TransferProcess, base: ProcessBase): Promise<StoredTransfer> => {
        if (edr !== undefined) await deps.vault.putIn(tx, id, edr);
        return write(tx, stored, next, actor, base);
      };
      // One round trip when this runtime committed the row last: its copy is the base, and the version check at COMMIT
      // guards it. Anything but an accepted transition (a refusal, a repeat) is decided on the locked row instead.
      const recent = await recentRows.current(tenantId, id);
      if (recent !== undefined && recent.entity.role === role) {
        const received = receive(recent);
        if (received.ok && !received.value.duplicate) {
          const next = received.value.transfer;
          const saved = await onCopy(() => deps.db.withTenant(tenantId, (tx) => apply(tx, recent, next, 'at-commit'), inRequestOf(from)));
          if (saved !== undefined) {
            await after(tenantId, recent.entity.state, saved, edr);
            return ok(transferAck(saved.entity));
          }
          recentRows.forget(tenantId, id);
        }
      }
      const outcome = await deps.db.withTenant(tenantId, async (tx): Promise<Result<{ saved: StoredTransfer; before?: string }>> => {
        const stored = await store.find(tx, id, true);
        if (stored === undefined || stored.entity.role !== role) return fail('not-found', 'transfer process not found');
        const received = receive(stored);
        if (!received.ok) return received;
        if (received.value.duplicate) return ok({ saved: stored });
        return ok({ saved: await apply(tx, stored, received.value.transfer, 'locked'), before: stored.entity.state });
      }, inRequestOf(from));
      if (!outcome.ok) return outcome;
      if (outcome.value.before !== undefined) await after(tenantId, outcome.value.before, outcome.value.saved, edr);
      return ok(transferAck(outcome.value.saved.entity));
    },

    async get(tenantId, role, id, from) {
      const stored = await deps.db.withTenant(tenantId, (tx) => store.find(tx, id), inReadOnlyRequestOf(from));
      if (stored === undefined || stored.entity.role !== role || stored.entity.counterPartyId !== senderIdFor(stored.entity.counterPartyId, from)) return fail('not-found', 'transfer process not found');
      return ok(transferAck(stored.entity));
    },

    async start(tenantId, request) {
      // From this runtime's copy of the agreement when it has one (checked at COMMIT), else read first.
      const attempt = (fromCopy: boolean) => deps.db.withTenant(tenantId, async (tx): Promise<Result<{ saved: StoredTransfer; read?: ContractAgreementRecord }>> => {
        const copy = fromCopy ? deps.agreementCopies?.get(tenantId, request.agreementId) : undefined;
        const read = copy?.role === 'consumer' ? undefined : await deps.agreements.findAgreement(tx, request.agreementId);
        const agreement = copy?.role === 'consumer' ? copy : read;
        if (agreement === undefined || agreement.role !== 'consumer') return fail('bad-request', `no finalized agreement ${request.agreementId} where this tenant is the consumer`);
        if (read === undefined) checkAgreementAtCommit(tx, agreement.id, 'consumer');
        const id = `urn:uuid:${randomUUID()}`;
        const initial = machine.startAsConsumer({ id, tenantId, dialect: request.dialect, counterPartyId: agreement.counterPartyId, providerAddress: request.counterPartyAddress, agreementId: agreement.id, format: request.format });
        const sent = machine.send(initial, 'request');
        if (!sent.ok) return sent;
        const saved = store.insertAtCommit(tx, sent.value, {
          ...schedule(true),
          extra: { callbackAddresses: request.callbackAddresses ?? [], assetId: agreement.assetId, ...(request.privateProperties !== undefined ? { privateProperties: request.privateProperties } : {}) },
        });
        await audit(tx, request.actor, sent.value);
        return ok({ saved, ...(read !== undefined ? { read } : {}) });
      });
      const outcome = (await onCopy(() => attempt(true))) ?? (await attempt(false));
      if (!outcome.ok) return outcome;
      if (outcome.value.read !== undefined) deps.agreementCopies?.remember(tenantId, outcome.value.read);
      await after(tenantId, undefined, outcome.value.saved);
      return ok(outcome.value.saved);
    },

    async command(tenantId, id, command, reason, actor) {
      const outcome = await deps.db.withTenant(tenantId, async (tx): Promise<Result<{ saved: StoredTransfer; before: string }>> => {
        const stored = await store.find(tx, id, true);
        if (stored === undefined) return fail('not-found', `transfer process ${id} not found`);
        const kind: TransferMessageKind = command;
        const sent = machine.send(stored.entity, kind, reason !== undefined ? { errorDetail: reason } : {});
        if (!sent.ok) return fail('conflict', sent.message);
        return ok({ saved: await write(tx, stored, sent.value, actor), before: stored.entity.state });
      });
      if (!outcome.ok) return outcome;
      await after(tenantId, outcome.value.before, outcome.value.saved);
      return ok(outcome.value.saved);
    },
  };
}
