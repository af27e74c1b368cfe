// Contract negotiations, both roles: inbound DSP messages, provider decisions (offer, usage policy), consumer starts.
import { randomUUID } from 'node:crypto';
import { parseExpandedPolicy, policiesEquivalent, type Policy, type PolicyEngine } from '../../policies/index';
import { deferAudit } from '../audit/audit-log';
import type { CatalogService } from '../catalog-service/catalog-service';
import type { CatalogSource } from '../catalog-service/catalog-source';
import { denialReason, inReadOnlyRequestOf, inRequestOf, policyContextOf, senderIdFor, type Participant } from '../catalog-service/participant';
import { fail, ok, type Result } from '../common/result';
import type { DspDialect } from '../dsp/dialects';
import { dspMessageFingerprint } from '../dsp/message-id';
import type { ContractNegotiationAck, ContractRequestMessage, NegotiationMessage } from '../dsp/messages';
import type { Database, TenantTx } from '../store/database';
import { encodeContractId } from './contract-ids';
import {
  createContractNegotiationMachine,
  negotiationAck,
  pendingTarget,
  type ContractNegotiation,
  type NegotiationRole,
} from './contract-negotiation';
import { negotiationEventName, type CallbackAddress, type ProcessEventSink } from './control-plane-events';
import { createOfferOperations, type NegotiationKit, type NegotiationOfferOperations } from './negotiation-offers';
import type { ContractAgreementRecord, NegotiationStore, StoredNegotiation } from './negotiation-store';
import type { AgreementCopies } from './agreement-copies';
import { asNewUnlessRepeated, type WriteOptions } from './process-table';
import { createRecentProcesses, onCopy, STALE_COPY, type ProcessBase, type RecentProcesses } from './recent-processes';
import type { ProcessorHandOff } from './work-runner';

/** Our own identity as a participant. */
export interface SelfIdentity {
  readonly did: string;
  readonly bpn?: string;
}

export interface NegotiationServiceDeps {
  readonly db: Pick<Database, 'withTenant'>;
  readonly store: NegotiationStore;
  readonly catalog: CatalogService;
  /** The tenant's contract definitions and policies (provider offers and counter-offers). */
  readonly source: CatalogSource;
  /** Whether requests under a contract definition wait for the provider's user (default: never). */
  manualApproval?(tx: TenantTx, definitionId: string): Promise<boolean>;
  readonly engine: PolicyEngine;
  readonly now: () => Date;
  selfIdentity(tenantId: string): Promise<SelfIdentity>;
  /** The negotiation processor: rows made due now are written leased to it and handed to it after commit. */
  readonly processor: ProcessorHandOff<StoredNegotiation>;
  readonly events?: ProcessEventSink;
  /** Rows this runtime committed last, shared with the processor (which reports its saves); a private one otherwise. */
  readonly recent?: RecentProcesses<ContractNegotiation>;
  /** Where agreements this service stores are remembered once committed (the transfer service starts from them). */
  readonly agreements?: AgreementCopies;
}

/** A decision on a received message: the next state, `extra` to merge, and the agreement it stores, if any. */
interface Answer {
  readonly next: ContractNegotiation;
  readonly extra?: Record<string, unknown>;
  readonly agreement?: ContractAgreementRecord;
}

/** Negotiations that expect no further message: not worth keeping a copy of. */
export const isFinalNegotiation = (n: ContractNegotiation): boolean => n.state === 'FINALIZED' || n.state === 'TERMINATED';

export interface StartNegotiation {
  readonly counterPartyAddress: string;
  /** The provider's DID (or BPN for DSP 0.8). */
  readonly counterPartyId: string;
  readonly dialect: DspDialect;
  /** The catalog offer plus `target` (and usually `assigner`). */
  readonly offer: Policy;
  readonly callbackAddresses?: readonly CallbackAddress[];
  /** Audit actor, e.g. `user:alice`. */
  readonly actor: string;
}

export interface NegotiationService extends NegotiationOfferOperations {
  /** Provider: a ContractRequestMessage (initial → 201 semantics: `created`; counter-request otherwise). */
  onRequest(tenantId: string, dialect: DspDialect, message: ContractRequestMessage, from: Participant): Promise<Result<{ ack: ContractNegotiationAck; created: boolean }>>;
  /** Either role: any other negotiation message addressed to our process `id` in `role`. */
  onMessage(tenantId: string, role: NegotiationRole, id: string, message: NegotiationMessage, from: Participant): Promise<Result<ContractNegotiationAck>>;
  /** Either role: the DSP state of our process `id` if `from` is its counter-party. */
  get(tenantId: string, role: NegotiationRole, id: string, from: Participant): Promise<Result<ContractNegotiationAck>>;
  /** Consumer: starts a negotiation (state REQUESTING, sent by the processor). */
  start(tenantId: string, request: StartNegotiation): Promise<Result<StoredNegotiation>>;
  /** Either role: terminates locally initiated (TERMINATING, sent by the processor). */
  terminate(tenantId: string, id: string, reason: string, actor: string): Promise<Result<StoredNegotiation>>;
}

/** The policy of an entity slot: our own model as stored, or an expanded node from a DSP message. */
export function asPolicy(value: unknown): Result<Policy> {
  if (typeof value === 'object' && value !== null && Array.isArray((value as { permissions?: unknown }).permissions)) return ok(value as Policy);
  return parseExpandedPolicy(value);
}

/** Our participant id in a dialect: DSP 0.8 (Tractus-X) uses BPNLs, later versions DIDs. */
export function participantIdIn(dialect: DspDialect, self: { readonly did: string; readonly bpn?: string }): string {
  return dialect === '0.8' && self.bpn !== undefined ? self.bpn : self.did;
}

export function isPending(n: { readonly state: string }): boolean {
  return pendingTarget(n.state as ContractNegotiation['state']) !== undefined;
}

export function createNegotiationService(deps: NegotiationServiceDeps): NegotiationService {
  const machine = createContractNegotiationMachine({ now: deps.now });
  const { store } = deps;
  const recentRows = deps.recent ?? createRecentProcesses<ContractNegotiation>({ isFinal: isFinalNegotiation });

  function notify(tenantId: string, before: string | undefined, stored: StoredNegotiation): void {
    const n = stored.entity;
    if (deps.events === undefined || before === n.state) return;
    const ev = negotiationEventName(n.state);
    const callbacks = (stored.extra['callbackAddresses'] ?? []) as CallbackAddress[];
    if (ev === undefined || callbacks.length === 0) return;
    deps.events.emit({ tenantId, ...ev, callbackAddresses: callbacks, payload: { contractNegotiationId: n.id, counterPartyId: n.counterPartyId, counterPartyAddress: n.counterPartyAddress, protocol: n.dialect, ...(n.agreementId !== undefined ? { contractAgreementId: n.agreementId } : {}) } });
  }

  async function audit(tx: TenantTx, actor: string, n: ContractNegotiation): Promise<void> {
    deferAudit(tx, { actor, action: `negotiation.${n.state.toLowerCase()}`, target: `negotiation/${n.id}`, after: { state: n.state, errorDetail: n.errorDetail } }, deps.now());
  }

  /** The usage policy's denial reason with the caller's verified claims, or undefined when it holds. */
  function usageDenial(offer: Policy, from: Participant): string | undefined {
    const verdict = deps.engine.evaluate(offer, 'contract.negotiation', policyContextOf(from, deps.now()));
    return verdict.allowed ? undefined : `usage policy not satisfied: ${denialReason(verdict.explanation)}`;
  }

  async function agree(tx: TenantTx, n: ContractNegotiation, offer: Policy, definitionId: string, assignee: string): Promise<Result<ContractNegotiation>> {
    const self = await deps.selfIdentity(tx.tenantId);
    const agreement: Policy = {
      ...offer,
      type: 'Agreement',
      id: encodeContractId(definitionId, offer.target ?? '', randomUUID()),
      assigner: participantIdIn(n.dialect, self),
      assignee,
      timestamp: deps.now().toISOString(),
    };
    return machine.send(n, 'agreement', { agreementId: agreement.id, agreementPolicy: agreement, assetId: offer.target });
  }

  /** Provider decision after a (counter-)request or acceptance: agreement when the usage policy holds, termination otherwise. */
  async function decide(tx: TenantTx, n: ContractNegotiation, offer: Policy, definitionId: string, from: Participant): Promise<Result<ContractNegotiation>> {
    const denial = usageDenial(offer, from);
    if (denial !== undefined) return machine.send(n, 'termination', { errorDetail: denial });
    return agree(tx, n, offer, definitionId, n.dialect === '0.8' && from.bpn !== undefined ? from.bpn : from.did);
  }

  /**
   * Provider decision after a (counter-)request: under a manual-approval definition the usage policy is checked now
   * (termination when it fails) and the negotiation stays REQUESTED for the provider's user; otherwise `decide`.
   */
  async function decideOrWait(tx: TenantTx, n: ContractNegotiation, offer: Policy, definitionId: string, from: Participant): Promise<Result<ContractNegotiation>> {
    if (deps.manualApproval === undefined || !(await deps.manualApproval(tx, definitionId))) return decide(tx, n, offer, definitionId, from);
    const denial = usageDenial(offer, from);
    return denial === undefined ? ok(n) : machine.send(n, 'termination', { errorDetail: denial });
  }

  /** Checks the consumer's offer against ours: known offer id, same asset, equivalent rules. */
  async function checkOffer(tx: TenantTx, message: ContractRequestMessage, from: Participant): Promise<Result<{ offer: Policy; definitionId: string }>> {
    const theirs = parseExpandedPolicy(message.offer);
    if (!theirs.ok) return fail('bad-request', `offer: ${theirs.message}`);
    if (theirs.value.id === undefined) return fail('bad-request', 'offer: @id is missing');
    const resolved = await deps.catalog.resolveOffer(tx, from, theirs.value.id);
    if (!resolved.ok) return resolved;
    if (theirs.value.target !== undefined && theirs.value.target !== resolved.value.assetId) return fail('bad-request', 'offer: target does not match the offer');
    if (!policiesEquivalent(resolved.value.offer, theirs.value)) return fail('bad-request', 'offer: the policy differs from the provider\'s offer');
    return ok({ offer: resolved.value.offer, definitionId: resolved.value.definitionId });
  }

  /** Due now and leased to the processor when a message is pending (`after` hands the row over); else nothing due. */
  function schedule(pending: boolean): Pick<WriteOptions, 'dueAt' | 'lease'> {
    if (!pending) return { dueAt: null };
    const dueAt = deps.now().getTime();
    const lease = deps.processor.leaseFor(dueAt);
    return lease === undefined ? { dueAt } : { dueAt, lease };
  }

  /**
   * Writes a negotiation this transaction has locked (or, `at-commit`, a copy read earlier, version-checked at COMMIT);
   * the UPDATE and its audit record travel with COMMIT.
   */
  async function write(tx: TenantTx, stored: StoredNegotiation, next: ContractNegotiation, actor: string, extra?: Record<string, unknown>, base: ProcessBase = 'locked'): Promise<StoredNegotiation> {
    const options = { ...schedule(isPending(next)), ...(extra !== undefined ? { extra: { ...stored.extra, ...extra } } : {}) };
    const saved = base === 'locked' ? store.updateLocked(tx, stored, next, options) : store.updateAtCommit(tx, stored, next, options);
    if (saved.entity.state !== stored.entity.state) await audit(tx, actor, next);
    return saved;
  }

  /**
   * The agreement a negotiation reaching FINALIZING (provider) or FINALIZED (consumer) stores: the participant ids as
   * the agreement's assigner and assignee name them, the counter-party's side defaulting to its DID.
   */
  function agreementMade(next: ContractNegotiation, stored: StoredNegotiation): Result<ContractAgreementRecord> {
    const agreed = asPolicy(next.agreementPolicy);
    if (!agreed.ok || next.agreementId === undefined) return fail('bad-request', 'the agreement of this negotiation cannot be read');
    const counterPartyBpn = stored.extra['counterPartyBpn'];
    return ok({
      id: next.agreementId,
      negotiationId: next.id,
      role: next.role,
      assetId: agreed.value.target ?? next.assetId ?? '',
      providerId: agreed.value.assigner ?? (next.role === 'consumer' ? next.counterPartyId : ''),
      consumerId: agreed.value.assignee ?? (next.role === 'provider' ? next.counterPartyId : ''),
      counterPartyId: next.counterPartyId,
      ...(typeof counterPartyBpn === 'string' ? { counterPartyBpn } : {}),
      signingDate: Date.parse(agreed.value.timestamp ?? '') || deps.now().getTime(),
      policy: agreed.value,
      createdAt: deps.now().getTime(),
    });
  }

  /**
   * What we do on a message `received` (the negotiation as the message left it) to `stored`: the decision a provider or
   * consumer makes at once (see "Processing model"), as the next state and any `extra` to merge.
   */
  async function answer(tx: TenantTx, role: 'provider' | 'consumer', stored: StoredNegotiation, received: ContractNegotiation, message: NegotiationMessage, from: Participant): Promise<Result<Answer>> {
    let next = received;
    let extra: Record<string, unknown> | undefined;
    let agreement: ContractAgreementRecord | undefined;
    if (role === 'provider' && message.type === 'ContractRequestMessage') {
      const checked = await checkOffer(tx, message, from);
      const decided = checked.ok
        ? await decideOrWait(tx, next, checked.value.offer, checked.value.definitionId, from)
        : machine.send(next, 'termination', { errorDetail: checked.message });
      if (!decided.ok) return decided;
      next = decided.value;
    } else if (role === 'provider' && next.state === 'ACCEPTED') {
      // Our own last offer was accepted: the definition must still admit the caller (access policy with its claims,
      // asset still selected), then the offered usage policy is evaluated exactly as for a request.
      const offer = asPolicy(next.offerPolicy);
      const definitionId = stored.extra['definitionId'];
      const admitted = next.offerId === undefined ? fail('bad-request', 'no offer id') : await deps.catalog.resolveOffer(tx, from, next.offerId);
      const decided = !offer.ok || typeof definitionId !== 'string'
        ? machine.send(next, 'termination', { errorDetail: 'the accepted offer cannot be read' })
        : !admitted.ok
          ? machine.send(next, 'termination', { errorDetail: `the offer is no longer available: ${admitted.message}` })
          : await decide(tx, next, { ...offer.value, target: offer.value.target ?? next.assetId }, definitionId, from);
      if (!decided.ok) return decided;
      next = decided.value;
    } else if (role === 'provider' && next.state === 'VERIFIED') {
      const sent = machine.send(next, 'finalized');
      if (!sent.ok) return sent;
      next = sent.value;
      // Stored now (not on the FINALIZED ACK): the consumer may request a transfer before that ACK reaches us.
      const made = agreementMade(next, stored);
      if (!made.ok) return made;
      agreement = made.value;
      store.insertAgreementAtCommit(tx, agreement);
    } else if (role === 'consumer' && next.state === 'AGREED') {
      const agreed = asPolicy(next.agreementPolicy);
      const mine = asPolicy(stored.extra['requestedOffer']);
      const sent = agreed.ok && mine.ok && policiesEquivalent(agreed.value, mine.value)
        ? machine.send(next, 'verification')
        : machine.send(next, 'termination', { errorDetail: 'the agreement does not match the requested offer' });
      if (!sent.ok) return sent;
      next = sent.value;
    } else if (role === 'consumer' && next.state === 'OFFERED') {
      // A counter-offer with exactly the terms our user requested is accepted; any other offer waits in OFFERED for
      // the user (accept, counter-request or terminate through the management API).
      const offered = asPolicy(next.offerPolicy);
      const mine = asPolicy(stored.extra['requestedOffer']);
      if (offered.ok && mine.ok && policiesEquivalent(offered.value, mine.value)) {
        const sent = machine.send(next, 'accepted');
        if (!sent.ok) return sent;
        next = sent.value;
      }
    } else if (role === 'consumer' && next.state === 'FINALIZED') {
      const made = agreementMade(next, stored);
      if (!made.ok) return made;
      agreement = made.value;
      store.insertAgreementAtCommit(tx, agreement);
      extra = {};
    }
    return ok({ next, ...(extra !== undefined ? { extra } : {}), ...(agreement !== undefined ? { agreement } : {}) });
  }

  function after(tenantId: string, before: string | undefined, saved: StoredNegotiation): void {
    recentRows.committed(saved);
    if (saved.lease !== undefined) deps.processor.handOff(tenantId, saved, saved.lease);
    else if (isPending(saved.entity)) deps.processor.kick(tenantId);
    notify(tenantId, before, saved);
  }

  const kit: NegotiationKit = { machine, write, audit, after, agree, schedule };
  return {
    ...createOfferOperations({ db: deps.db, store, source: deps.source, now: deps.now, selfIdentity: deps.selfIdentity }, kit),

    async onRequest(tenantId, dialect, message, from) {
      const messageId = dspMessageFingerprint(message);
      const actor = `partner:${from.did}`;
      if (message.providerPid !== undefined) {
        const r = await this.onMessage(tenantId, 'provider', message.providerPid, message, from);
        return r.ok ? ok({ ack: r.value, created: false }) : r;
      }
      const outcome = await asNewUnlessRepeated((lookFirst) => deps.db.withTenant(tenantId, async (tx): Promise<Result<{ saved: StoredNegotiation; created: boolean }>> => {
        const existing = lookFirst ? await store.findBy(tx, { role: 'provider', counter_party_id: from.did, consumer_pid: message.consumerPid }, true) : undefined;
        if (existing !== undefined) {
          if (existing.entity.lastMessageId === messageId || existing.extra['initialMessageId'] === messageId) return ok({ saved: existing, created: false });
          return fail('conflict', `consumerPid ${message.consumerPid} is already used by another negotiation`);
        }
        const checked = await checkOffer(tx, message, from);
        if (!checked.ok) return checked;
        const created = machine.fromInitialRequest({ id: `urn:uuid:${randomUUID()}`, tenantId, dialect, counterPartyId: from.did, counterPartyAddress: message.callbackAddress ?? '' }, message, { messageId, senderId: from.did });
        if (!created.ok) return created;
        const decided = await decideOrWait(tx, created.value, checked.value.offer, checked.value.definitionId, from);
        if (!decided.ok) return decided;
        const saved = store.insertAtCommit(tx, decided.value, {
          ...schedule(isPending(decided.value)),
          extra: { initialMessageId: messageId, definitionId: checked.value.definitionId, ...(from.bpn !== undefined ? { counterPartyBpn: from.bpn } : {}) },
        });
        await audit(tx, actor, created.value);
        return ok({ saved, created: true });
      }, inRequestOf(from)));
      if (!outcome.ok) return outcome;
      if (outcome.value.created) after(tenantId, undefined, outcome.value.saved);
      return ok({ ack: negotiationAck(outcome.value.saved.entity), created: outcome.value.created });
    },

    async onMessage(tenantId, role, id, message, from) {
      const messageId = dspMessageFingerprint(message);
      const actor = `partner:${from.did}`;
      const receive = (stored: StoredNegotiation) => machine.receive(stored.entity, message, { messageId, senderId: senderIdFor(stored.entity.counterPartyId, from) });
      // One round trip when this runtime committed the row last: its copy is the base, and the version check at COMMIT
      // guards it. Anything but an accepted transition (a refusal, a repeat) is decided on the locked row instead.
      const recent = await recentRows.current(tenantId, id);
      if (recent !== undefined && recent.entity.role === role) {
        const received = receive(recent);
        if (received.ok && !received.value.duplicate) {
          const next = received.value.negotiation;
          const outcome = await onCopy(() => deps.db.withTenant(tenantId, async (tx) => {
            const answered = await answer(tx, role, recent, next, message, from);
            if (!answered.ok) throw STALE_COPY;
            return { saved: await write(tx, recent, answered.value.next, actor, answered.value.extra, 'at-commit'), agreement: answered.value.agreement };
          }, inRequestOf(from)));
          if (outcome !== undefined) {
            if (outcome.agreement !== undefined) deps.agreements?.remember(tenantId, outcome.agreement);
            after(tenantId, recent.entity.state, outcome.saved);
            return ok(negotiationAck(outcome.saved.entity));
          }
          recentRows.forget(tenantId, id);
        }
      }
      const outcome = await deps.db.withTenant(tenantId, async (tx): Promise<Result<{ saved: StoredNegotiation; before?: string; agreement?: ContractAgreementRecord }>> => {
        const stored = await store.find(tx, id, true);
        if (stored === undefined || stored.entity.role !== role) return fail('not-found', 'negotiation not found');
        const received = receive(stored);
        if (!received.ok) return received;
        if (received.value.duplicate) return ok({ saved: stored });
        const answered = await answer(tx, role, stored, received.value.negotiation, message, from);
        if (!answered.ok) return answered;
        const saved = await write(tx, stored, answered.value.next, actor, answered.value.extra);
        return ok({ saved, before: stored.entity.state, ...(answered.value.agreement !== undefined ? { agreement: answered.value.agreement } : {}) });
      }, inRequestOf(from));
      if (!outcome.ok) return outcome;
      if (outcome.value.agreement !== undefined) deps.agreements?.remember(tenantId, outcome.value.agreement);
      if (outcome.value.before !== undefined) after(tenantId, outcome.value.before, outcome.value.saved);
      return ok(negotiationAck(outcome.value.saved.entity));
    },

    async get(tenantId, role, id, from) {
      const stored = await deps.db.withTenant(tenantId, (tx) => store.find(tx, id), inReadOnlyRequestOf(from));
      if (stored === undefined || stored.entity.role !== role || stored.entity.counterPartyId !== senderIdFor(stored.entity.counterPartyId, from)) return fail('not-found', 'negotiation not found');
      return ok(negotiationAck(stored.entity));
    },

    async start(tenantId, request) {
      const id = `urn:uuid:${randomUUID()}`;
      const initial = machine.startAsConsumer({
        id, tenantId, dialect: request.dialect, counterPartyId: request.counterPartyId, counterPartyAddress: request.counterPartyAddress,
        offerId: request.offer.id, assetId: request.offer.target, offerPolicy: request.offer,
      });
      const sent = machine.send(initial, 'request', { offerPolicy: request.offer });
      if (!sent.ok) return sent;
      const saved = await deps.db.withTenant(tenantId, async (tx) => {
        const s = store.insertAtCommit(tx, sent.value, { ...schedule(true), extra: { requestedOffer: request.offer, callbackAddresses: request.callbackAddresses ?? [] } });
        await audit(tx, request.actor, sent.value);
        return s;
      });
      after(tenantId, undefined, saved);
      return ok(saved);
    },

    async terminate(tenantId, id, reason, actor) {
      const outcome = await deps.db.withTenant(tenantId, async (tx): Promise<Result<StoredNegotiation>> => {
        const stored = await store.find(tx, id, true);
        if (stored === undefined) return fail('not-found', `negotiation ${id} not found`);
        const sent = machine.send(stored.entity, 'termination', { errorDetail: reason });
        if (!sent.ok) return fail('conflict', sent.message);
        return ok(await write(tx, stored, sent.value, actor));
      });
      if (outcome.ok) after(tenantId, undefined, outcome.value);
      return outcome;
    },
  };
}
