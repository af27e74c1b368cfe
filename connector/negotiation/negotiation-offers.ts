// Offers and human decisions: provider offers/counter-offers/approval, consumer accept/counter-request, inbound initial offers.
import { randomUUID } from 'node:crypto';
import { parseExpandedPolicy, type Policy } from '../../policies/index';
import type { CatalogSource } from '../catalog-service/catalog-source';
import { inRequestOf, type Participant } from '../catalog-service/participant';
import { fail, ok, type Result } from '../common/result';
import type { DspDialect } from '../dsp/dialects';
import { dspMessageFingerprint } from '../dsp/message-id';
import type { ContractNegotiationAck, ContractOfferMessage } from '../dsp/messages';
import type { Database, TenantTx } from '../store/database';
import { encodeContractId } from './contract-ids';
import { negotiationAck, type ContractNegotiation, type ContractNegotiationMachine, type NegotiationRole, type NegotiationState } from './contract-negotiation';
import type { CallbackAddress } from './control-plane-events';
import { checkCounterOffer } from './counter-offer-check';
import type { NegotiationStore, StoredNegotiation } from './negotiation-store';
import { asNewUnlessRepeated, type WriteOptions } from './process-table';

/** The shared steps of the negotiation service the offer operations build on. */
export interface NegotiationKit {
  readonly machine: ContractNegotiationMachine;
  /** Saves `next` over `stored` (version-checked), due now when pending, audited when the state changed. */
  write(tx: TenantTx, stored: StoredNegotiation, next: ContractNegotiation, actor: string, extra?: Record<string, unknown>): Promise<StoredNegotiation>;
  audit(tx: TenantTx, actor: string, n: ContractNegotiation): Promise<void>;
  /** After commit: hands a row written leased to the processor (else kicks it when a message is pending), emits the callback event. */
  after(tenantId: string, before: string | undefined, saved: StoredNegotiation): void;
  /** The write options of a row with (`pending`) or without a message to send: due now and leased to the processor. */
  schedule(pending: boolean): Pick<WriteOptions, 'dueAt' | 'lease'>;
  /** Provider: the agreement on `offer` (assigner = us, assignee as given), as the pending AGREEING state. */
  agree(tx: TenantTx, n: ContractNegotiation, offer: Policy, definitionId: string, assignee: string): Promise<Result<ContractNegotiation>>;
}

export interface OfferOperationsDeps {
  readonly db: Pick<Database, 'withTenant'>;
  readonly store: NegotiationStore;
  readonly source: CatalogSource;
  readonly now: () => Date;
  selfIdentity(tenantId: string): Promise<{ readonly did: string; readonly bpn?: string }>;
}

/** Provider: an initial offer of a contract definition's contract policy for one of its assets. */
export interface InitialOffer {
  /** The consumer's DSP callback base (ours: `<dsp base>/callback`); the offer goes to `<address>/negotiations/offers`. */
  readonly counterPartyAddress: string;
  /** The consumer's DID (or BPNL for DSP 0.8). */
  readonly counterPartyId: string;
  readonly dialect: DspDialect;
  readonly contractDefinitionId: string;
  readonly assetId: string;
  readonly callbackAddresses?: readonly CallbackAddress[];
  readonly actor: string;
}

export interface NegotiationOfferOperations {
  /** Provider: starts a provider-initiated negotiation (OFFERING; OFFERED once the consumer acknowledges). */
  offer(tenantId: string, request: InitialOffer): Promise<Result<StoredNegotiation>>;
  /** Provider, REQUESTED: counter-offers `policy`, which must narrow the definition's contract policy (`checkCounterOffer`). */
  counterOffer(tenantId: string, id: string, policy: Policy, actor: string): Promise<Result<StoredNegotiation>>;
  /** Provider, REQUESTED (manual approval): agrees to the consumer's request (its usage policy was checked on arrival). */
  approve(tenantId: string, id: string, actor: string): Promise<Result<StoredNegotiation>>;
  /** Consumer, OFFERED: accepts the provider's offer (ACCEPTING; the agreement must then match it). */
  accept(tenantId: string, id: string, actor: string): Promise<Result<StoredNegotiation>>;
  /** Consumer, OFFERED: answers with a counter-request for `offer` (an offer id of the provider and the same target). */
  counterRequest(tenantId: string, id: string, offer: Policy, actor: string): Promise<Result<StoredNegotiation>>;
  /** Consumer: an initial ContractOfferMessage (201 semantics: `created`; an identical replay answers the same ACK). */
  onOffer(tenantId: string, dialect: DspDialect, message: ContractOfferMessage, from: Participant): Promise<Result<{ ack: ContractNegotiationAck; created: boolean }>>;
}

function policyOf(value: unknown): Result<Policy> {
  if (typeof value === 'object' && value !== null && Array.isArray((value as { permissions?: unknown }).permissions)) return ok(value as Policy);
  return parseExpandedPolicy(value);
}

function ourId(dialect: DspDialect, self: { readonly did: string; readonly bpn?: string }): string {
  return dialect === '0.8' && self.bpn !== undefined ? self.bpn : self.did;
}

type Decision = Result<{ readonly next: ContractNegotiation; readonly extra?: Record<string, unknown> }>;

export function createOfferOperations(deps: OfferOperationsDeps, kit: NegotiationKit): NegotiationOfferOperations {
  const { store, source, machine } = { ...deps, ...kit };

  /** Loads the negotiation locked, checks role and state, applies `work`, saves, and runs the after-commit steps. */
  async function decision(tenantId: string, id: string, actor: string, role: NegotiationRole, states: readonly NegotiationState[], what: string,
    work: (tx: TenantTx, stored: StoredNegotiation) => Promise<Decision>): Promise<Result<StoredNegotiation>> {
    const outcome = await deps.db.withTenant(tenantId, async (tx): Promise<Result<{ saved: StoredNegotiation; before: string }>> => {
      const stored = await store.find(tx, id, true);
      if (stored === undefined) return fail('not-found', `negotiation ${id} not found`);
      if (stored.entity.role !== role) return fail('conflict', `only the ${role} may ${what}; this negotiation's role is ${stored.entity.role}`);
      if (!states.includes(stored.entity.state)) return fail('conflict', `cannot ${what} in state ${stored.entity.state} (needs ${states.join(' or ')})`);
      const r = await work(tx, stored);
      if (!r.ok) return r;
      return ok({ saved: await kit.write(tx, stored, r.value.next, actor, r.value.extra), before: stored.entity.state });
    });
    if (!outcome.ok) return outcome;
    kit.after(tenantId, outcome.value.before, outcome.value.saved);
    return ok(outcome.value.saved);
  }

  const conflictOf = <T>(r: Result<T>): Result<T> => (r.ok ? r : fail('conflict', r.message));

  return {
    async offer(tenantId, request) {
      const self = await deps.selfIdentity(tenantId);
      const outcome = await deps.db.withTenant(tenantId, async (tx): Promise<Result<StoredNegotiation>> => {
        const def = await source.contractDefinition(tx, request.contractDefinitionId);
        if (def === undefined) return fail('bad-request', `contract definition ${request.contractDefinitionId} not found`);
        const contract = await source.policy(tx, def.contractPolicyId);
        if (contract === undefined) return fail('bad-request', `the contract policy ${def.contractPolicyId} of contract definition ${def.id} does not exist`);
        if (!(await source.assetsOf(tx, def)).some((a) => a.id === request.assetId)) {
          return fail('bad-request', `asset ${request.assetId} is not selected by contract definition ${def.id}`);
        }
        const offerPolicy: Policy = { ...contract, type: 'Offer', id: encodeContractId(def.id, request.assetId), target: request.assetId, assigner: ourId(request.dialect, self) };
        const initial = machine.startAsProvider({
          id: `urn:uuid:${randomUUID()}`, tenantId, dialect: request.dialect, counterPartyId: request.counterPartyId, counterPartyAddress: request.counterPartyAddress,
          offerId: offerPolicy.id, assetId: request.assetId, offerPolicy,
        });
        const sent = machine.send(initial, 'offer', { offerPolicy });
        if (!sent.ok) return sent;
        const saved = store.insertAtCommit(tx, sent.value, { ...kit.schedule(true), extra: { definitionId: def.id, callbackAddresses: request.callbackAddresses ?? [] } });
        await kit.audit(tx, request.actor, sent.value);
        return ok(saved);
      });
      if (outcome.ok) kit.after(tenantId, undefined, outcome.value);
      return outcome;
    },

    counterOffer(tenantId, id, policy, actor) {
      return decision(tenantId, id, actor, 'provider', ['REQUESTED'], 'counter-offer', async (tx, stored) => {
        const n = stored.entity;
        if (policy.target !== undefined && policy.target !== n.assetId) return fail('bad-request', `policy: target must be the negotiated asset ${n.assetId ?? ''}`);
        const definitionId = stored.extra['definitionId'];
        const def = typeof definitionId === 'string' ? await source.contractDefinition(tx, definitionId) : undefined;
        const contract = def === undefined ? undefined : await source.policy(tx, def.contractPolicyId);
        if (def === undefined || contract === undefined) return fail('conflict', 'the contract definition of this negotiation no longer exists');
        const checked = checkCounterOffer(policy, contract);
        if (!checked.ok) return checked;
        const self = await deps.selfIdentity(tenantId);
        const { assignee: _a, timestamp: _t, ...rest } = policy;
        void _a;
        void _t;
        const offerPolicy: Policy = { ...rest, type: 'Offer', id: encodeContractId(def.id, n.assetId ?? ''), target: n.assetId, assigner: ourId(n.dialect, self) };
        const sent = conflictOf(machine.send(n, 'offer', { offerId: offerPolicy.id, offerPolicy }));
        return sent.ok ? ok({ next: sent.value }) : sent;
      });
    },

    approve(tenantId, id, actor) {
      return decision(tenantId, id, actor, 'provider', ['REQUESTED'], 'approve', async (tx, stored) => {
        const n = stored.entity;
        const requested = policyOf(n.offerPolicy);
        const definitionId = stored.extra['definitionId'];
        if (!requested.ok || typeof definitionId !== 'string') return fail('conflict', 'the requested offer of this negotiation cannot be read');
        const bpn = stored.extra['counterPartyBpn'];
        const assignee = n.dialect === '0.8' && typeof bpn === 'string' ? bpn : n.counterPartyId;
        const agreed = conflictOf(await kit.agree(tx, n, { ...requested.value, target: requested.value.target ?? n.assetId }, definitionId, assignee));
        return agreed.ok ? ok({ next: agreed.value }) : agreed;
      });
    },

    accept(tenantId, id, actor) {
      return decision(tenantId, id, actor, 'consumer', ['OFFERED'], 'accept', async (_tx, stored) => {
        const sent = conflictOf(machine.send(stored.entity, 'accepted'));
        // The agreement must match what our user accepted.
        return sent.ok ? ok({ next: sent.value, extra: { requestedOffer: stored.entity.offerPolicy } }) : sent;
      });
    },

    counterRequest(tenantId, id, offer, actor) {
      return decision(tenantId, id, actor, 'consumer', ['OFFERED'], 'counter-request', async (_tx, stored) => {
        const n = stored.entity;
        if (offer.id === undefined) return fail('bad-request', 'policy: the offer @id is required');
        if (offer.target !== n.assetId) return fail('bad-request', `policy: target must be the negotiated asset ${n.assetId ?? ''}`);
        const sent = conflictOf(machine.send(n, 'request', { offerId: offer.id, offerPolicy: offer }));
        return sent.ok ? ok({ next: sent.value, extra: { requestedOffer: offer } }) : sent;
      });
    },

    async onOffer(tenantId, dialect, message, from) {
      const messageId = dspMessageFingerprint(message);
      const outcome = await asNewUnlessRepeated((lookFirst) => deps.db.withTenant(tenantId, async (tx): Promise<Result<{ saved: StoredNegotiation; created: boolean }>> => {
        const existing = lookFirst ? await store.findBy(tx, { role: 'consumer', counter_party_id: from.did, provider_pid: message.providerPid }, true) : undefined;
        if (existing !== undefined) {
          if (existing.extra['initialMessageId'] === messageId) return ok({ saved: existing, created: false });
          return fail('conflict', `providerPid ${message.providerPid} is already used by another negotiation`);
        }
        const offer = parseExpandedPolicy(message.offer);
        if (!offer.ok) return fail('bad-request', `offer: ${offer.message}`);
        if (offer.value.id === undefined || offer.value.target === undefined) return fail('bad-request', 'offer: @id and target are required');
        if (offer.value.assigner !== undefined && offer.value.assigner !== from.did && offer.value.assigner !== from.bpn) {
          return fail('bad-request', 'offer: the assigner is not the sender');
        }
        const created = machine.fromInitialOffer(
          { id: `urn:uuid:${randomUUID()}`, tenantId, dialect, counterPartyId: from.did, counterPartyAddress: message.callbackAddress ?? '' },
          message, { messageId, senderId: from.did },
        );
        if (!created.ok) return created;
        const saved = store.insertAtCommit(tx, created.value, { dueAt: null, extra: { initialMessageId: messageId, callbackAddresses: [] } });
        await kit.audit(tx, `partner:${from.did}`, created.value);
        return ok({ saved, created: true });
      }, inRequestOf(from)));
      if (!outcome.ok) return outcome;
      return ok({ ack: negotiationAck(outcome.value.saved.entity), created: outcome.value.created });
    },
  };
}
