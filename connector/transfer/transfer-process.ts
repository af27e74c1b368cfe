// The transfer process entity (provider and consumer): plain immutable records whose transitions are checked here.
import { fail, ok, type Result } from '../common/result';
import type { DspDialect } from '../dsp/dialects';
import type { DataAddress, TransferDspState, TransferMessage, TransferRequestMessage } from '../dsp/messages';
import {
  findTransferEdge,
  isTransferTerminal,
  mayEverSend,
  TRANSFER_PENDING_STATE,
  TRANSFER_STATES,
  transferCounterpartyViews,
  transferDspState,
  transferPendingTarget,
  transferStateCode,
  type TransferGraphState,
  type TransferMessageKind,
  type TransferRole,
  type TransferState,
} from './transfer-states';

export * from './transfer-states';

/** A transfer process as stored (plain JSON-compatible data). */
export interface TransferProcess {
  /** Our local id (also our own pid). */
  readonly id: string;
  readonly tenantId: string;
  readonly role: TransferRole;
  readonly dialect: DspDialect;
  readonly counterPartyId: string;
  /** Where messages to the counter-party go (the consumer's callbackAddress, or the provider's DSP base). */
  readonly counterPartyAddress: string;
  readonly consumerPid: string;
  /** Unknown to a consumer until the provider's ACK. */
  readonly providerPid?: string;
  readonly agreementId: string;
  /** e.g. `HttpData-PULL`. */
  readonly format: string;
  /** Consumer: the EDR from the last TransferStartMessage; provider: a push destination. */
  readonly dataAddress?: DataAddress;
  readonly state: TransferState;
  readonly stateCount: number;
  /** Epoch milliseconds of the last transition. */
  readonly stateTimestamp: number;
  readonly createdAt: number;
  readonly pendingFrom?: TransferGraphState;
  /** Fingerprint of the last counter-party message applied (replays of it are no-ops). */
  readonly lastMessageId?: string;
  readonly errorDetail?: string;
}

export interface NewTransfer {
  readonly id: string;
  readonly tenantId: string;
  readonly dialect: DspDialect;
  readonly counterPartyId: string;
}

export interface TransferInboundContext {
  /** Fingerprint of the message (`dspMessageFingerprint`). */
  readonly messageId: string;
  /** The verified participant id of the caller; when given it must be the process's counter-party. */
  readonly senderId?: string;
}

export interface TransferReceived {
  readonly transfer: TransferProcess;
  readonly duplicate: boolean;
}

export interface TransferProcessMachine {
  /** Consumer side: a process in INITIAL about to send its TransferRequestMessage (consumerPid = id). */
  startAsConsumer(init: NewTransfer & { readonly providerAddress: string; readonly agreementId: string; readonly format: string; readonly dataAddress?: DataAddress }): TransferProcess;
  /** Provider side: a process in REQUESTED from a TransferRequestMessage (providerPid = id). */
  fromRequest(init: NewTransfer, message: TransferRequestMessage, ctx: TransferInboundContext): TransferProcess;
  /**
   * Provider side, before creating: whether `message` repeats the request that created `existing` (same consumer,
   * consumerPid, agreement, format, callback) — then answer with the current state instead of a new process.
   * A different request reusing the consumerPid is a conflict.
   */
  checkRepeatedRequest(existing: TransferProcess, message: TransferRequestMessage, senderId?: string): Result<'repeat'>;
  /**
   * Applies a counter-party message: checks pids, sender and the allowed-from table; a replay of the last message is a
   * no-op. A consumer's start (resume) puts a provider in STARTING: it owes the consumer a start message with a fresh
   * data address. A consumer that is STARTED takes a provider's start message with a data address as a renewed EDR.
   */
  receive(t: TransferProcess, message: TransferMessage, ctx: TransferInboundContext): Result<TransferReceived>;
  /** Our side decides to send `kind`: moves to the pending state if the graph allows it. */
  send(t: TransferProcess, kind: TransferMessageKind, data?: { readonly dataAddress?: DataAddress; readonly errorDetail?: string }): Result<TransferProcess>;
  /** The counter-party acknowledged our pending message. */
  acknowledged(t: TransferProcess, ack?: { readonly providerPid?: string }): Result<TransferProcess>;
  /** Stays in the current state and counts a retry. */
  retry(t: TransferProcess): TransferProcess;
  /** Ends a non-terminal process locally (no message). */
  fail(t: TransferProcess, errorDetail: string): Result<TransferProcess>;
}

function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function kindOf(message: TransferMessage): TransferMessageKind {
  switch (message.type) {
    case 'TransferRequestMessage':
      return 'request';
    case 'TransferStartMessage':
      return 'start';
    case 'TransferCompletionMessage':
      return 'completion';
    case 'TransferSuspensionMessage':
      return 'suspension';
    case 'TransferTerminationMessage':
      return 'termination';
  }
}

function detailOf(message: TransferMessage): string | undefined {
  if (message.type !== 'TransferTerminationMessage' && message.type !== 'TransferSuspensionMessage') return undefined;
  const detail = [message.code, ...(message.reason ?? [])].filter((x) => x !== undefined).join(': ');
  const verb = message.type === 'TransferTerminationMessage' ? 'terminated' : 'suspended';
  return `${verb} by counter-party${detail === '' ? '' : `: ${detail}`}`;
}

/** The transfer entity's transitions, with an injected clock. */
export function createTransferProcessMachine(deps: { readonly now: () => Date }): TransferProcessMachine {
  const now = (): number => deps.now().getTime();

  function moveTo(t: TransferProcess, state: TransferState, extra: Partial<TransferProcess> = {}): TransferProcess {
    const { pendingFrom: _drop, ...rest } = t;
    void _drop;
    return defined({ ...rest, ...extra, state, stateCount: state === t.state ? t.stateCount + 1 : 1, stateTimestamp: now() });
  }

  return {
    startAsConsumer(init) {
      const time = now();
      return defined({
        id: init.id,
        tenantId: init.tenantId,
        role: 'consumer',
        dialect: init.dialect,
        counterPartyId: init.counterPartyId,
        counterPartyAddress: init.providerAddress,
        consumerPid: init.id,
        agreementId: init.agreementId,
        format: init.format,
        dataAddress: init.dataAddress,
        state: 'INITIAL',
        stateCount: 1,
        stateTimestamp: time,
        createdAt: time,
      });
    },

    fromRequest(init, message, ctx) {
      const time = now();
      return defined({
        id: init.id,
        tenantId: init.tenantId,
        role: 'provider',
        dialect: init.dialect,
        counterPartyId: init.counterPartyId,
        counterPartyAddress: message.callbackAddress,
        consumerPid: message.consumerPid,
        providerPid: init.id,
        agreementId: message.agreementId,
        format: message.format,
        dataAddress: message.dataAddress,
        state: 'REQUESTED',
        stateCount: 1,
        stateTimestamp: time,
        createdAt: time,
        lastMessageId: ctx.messageId,
      });
    },

    checkRepeatedRequest(existing, message, senderId) {
      if (existing.role !== 'provider' || existing.consumerPid !== message.consumerPid) return fail('not-found', 'no transfer process with this consumerPid');
      if (senderId !== undefined && senderId !== existing.counterPartyId) return fail('not-found', 'no transfer process with this consumerPid');
      const same = existing.agreementId === message.agreementId && existing.format === message.format && existing.counterPartyAddress === message.callbackAddress;
      if (!same) return fail('conflict', `consumerPid ${message.consumerPid} is already used by a different transfer request`);
      return ok('repeat');
    },

    receive(t, message, ctx) {
      if (ctx.senderId !== undefined && ctx.senderId !== t.counterPartyId) return fail('not-found', 'transfer process not found');
      if (message.consumerPid !== t.consumerPid) return fail('not-found', 'transfer process not found (consumerPid mismatch)');
      const providerPid = 'providerPid' in message ? message.providerPid : undefined;
      if (providerPid !== undefined && t.providerPid !== undefined && providerPid !== t.providerPid) return fail('not-found', 'transfer process not found (providerPid mismatch)');
      if (ctx.messageId === t.lastMessageId) return ok({ transfer: t, duplicate: true });

      const kind = kindOf(message);
      const sender: TransferRole = t.role === 'provider' ? 'consumer' : 'provider';
      if (!mayEverSend(sender, kind)) return fail('bad-request', `a ${sender} may not send ${message.type}`);
      if (isTransferTerminal(t.state)) return fail('bad-request', `${message.type} is not allowed: the transfer is ${t.state}`);
      // A provider's new start message to a running consumer renews its data address (resume, or a repeated start).
      if (t.role === 'consumer' && kind === 'start' && t.state === 'STARTED' && message.type === 'TransferStartMessage' && message.dataAddress !== undefined) {
        return ok({ transfer: moveTo(t, 'STARTED', { lastMessageId: ctx.messageId, dataAddress: message.dataAddress }), duplicate: false });
      }
      const bothTerminating = kind === 'termination' && t.state === 'TERMINATING';
      const edge = bothTerminating ? undefined : findTransferEdge(transferCounterpartyViews(t.state, t.pendingFrom), kind, sender);
      if (edge === undefined && !bothTerminating) {
        return fail('bad-request', `${message.type} from the ${sender} is not allowed in state ${transferDspState(t.state, t.pendingFrom)} (${t.state})`);
      }
      const to: TransferDspState = edge?.to ?? 'TERMINATED';
      const dataAddress = message.type === 'TransferStartMessage' ? message.dataAddress : undefined;
      const extra: Partial<TransferProcess> = {
        lastMessageId: ctx.messageId,
        ...(dataAddress !== undefined ? { dataAddress } : {}),
        ...(detailOf(message) !== undefined ? { errorDetail: detailOf(message) } : {}),
        ...(t.providerPid === undefined && providerPid !== undefined ? { providerPid } : {}),
      };
      // The consumer resumes: the provider owes it a TransferStartMessage with a fresh data address (EDC `transitionStarting`).
      if (t.role === 'provider' && kind === 'start') return ok({ transfer: { ...moveTo(t, 'STARTING', extra), pendingFrom: 'SUSPENDED' }, duplicate: false });
      return ok({ transfer: moveTo(t, to, extra), duplicate: false });
    },

    send(t, kind, data = {}) {
      if (isTransferTerminal(t.state)) return fail('bad-request', `cannot send ${kind}: the transfer is ${t.state}`);
      const pending = transferPendingTarget(t.state) !== undefined;
      if (pending && kind !== 'termination') return fail('bad-request', `cannot send ${kind} while ${t.state} is pending`);
      if (t.state === 'TERMINATING') return fail('bad-request', 'a termination is already pending');
      const edge = findTransferEdge(transferCounterpartyViews(t.state, t.pendingFrom), kind, t.role);
      if (edge === undefined) return fail('bad-request', `a ${t.role} may not send ${kind} in state ${t.state}`);
      const from: TransferGraphState = pending ? (t.pendingFrom ?? 'START') : t.state === 'INITIAL' ? 'START' : (t.state as TransferDspState);
      return ok({ ...moveTo(t, TRANSFER_PENDING_STATE[kind], defined({ ...data })), pendingFrom: from });
    },

    acknowledged(t, ack = {}) {
      const target = transferPendingTarget(t.state);
      if (target === undefined) return fail('bad-request', `nothing is pending in state ${t.state}`);
      return ok(moveTo(t, target, t.providerPid === undefined && ack.providerPid !== undefined ? { providerPid: ack.providerPid } : {}));
    },

    retry(t) {
      return { ...t, stateCount: t.stateCount + 1, stateTimestamp: now() };
    },

    fail(t, errorDetail) {
      if (isTransferTerminal(t.state)) return fail('bad-request', `the transfer is already ${t.state}`);
      return ok(moveTo(t, 'TERMINATED', { errorDetail }));
    },
  };
}

/** The EDC Management API view of the state: name and code. */
export function transferEdcState(t: TransferProcess): { readonly state: TransferState; readonly code: number } {
  return { state: t.state, code: transferStateCode(t.state) };
}

/** The DSP `TransferProcess` ACK/GET body. */
export function transferAck(t: TransferProcess): { type: 'TransferProcess'; providerPid: string; consumerPid: string; state: TransferDspState } {
  return { type: 'TransferProcess', providerPid: t.providerPid ?? '', consumerPid: t.consumerPid, state: transferDspState(t.state, t.pendingFrom) };
}

/** The plain record to persist (a detached copy). */
export function transferToRecord(t: TransferProcess): Record<string, unknown> {
  // Entities are immutable values and the record is serialized to JSON at once: a shallow copy is enough.
  return { ...t };
}

/** Checks a stored record and returns it as a transfer process; a malformed record is a bad-request failure. */
export function transferFromRecord(record: unknown): Result<TransferProcess> {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return fail('bad-request', 'transfer record must be an object');
  const r = record as Record<string, unknown>;
  for (const f of ['id', 'tenantId', 'counterPartyId', 'counterPartyAddress', 'consumerPid', 'agreementId', 'format']) {
    if (typeof r[f] !== 'string') return fail('bad-request', `transfer record: ${f} must be a string`);
  }
  for (const f of ['providerPid', 'lastMessageId', 'errorDetail', 'pendingFrom']) {
    if (r[f] !== undefined && r[f] !== null && typeof r[f] !== 'string') return fail('bad-request', `transfer record: ${f} must be a string`);
  }
  if (r['role'] !== 'provider' && r['role'] !== 'consumer') return fail('bad-request', 'transfer record: role must be provider or consumer');
  if (!['2025-1', '2024-1', '0.8'].includes(r['dialect'] as string)) return fail('bad-request', 'transfer record: unknown dialect');
  if (!TRANSFER_STATES.includes(r['state'] as TransferState)) return fail('bad-request', `transfer record: unknown state ${String(r['state'])}`);
  for (const f of ['stateCount', 'stateTimestamp', 'createdAt']) {
    if (typeof r[f] !== 'number' || !Number.isFinite(r[f])) return fail('bad-request', `transfer record: ${f} must be a number`);
  }
  const clean = Object.fromEntries(Object.entries(r).filter(([, v]) => v !== null && v !== undefined));
  // `record` was just parsed from the row's JSON, so nobody else holds it: no deep copy needed.
  return ok(clean as unknown as TransferProcess);
}
