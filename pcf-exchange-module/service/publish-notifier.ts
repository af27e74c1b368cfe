// Queues Published events for the tenant's subscribed partners inside the transaction that changed the footprints.
import type { TenantTx } from '../../connector/store/database';
import { createPartnerStore, type PartnerStore } from '../clients/partner-store';
import { pactIssuer } from '../clients/pact-tokens';
import { buildEvent } from '../events/cloud-events';
import { createOutboxStore, type OutboxStore } from '../events/outbox-store';

export interface PublishNotifier {
  /** Enqueues one Published event (in each partner's API version) naming `pfIds`; returns the number queued. */
  published(tx: TenantTx, pfIds: readonly string[], now: Date): Promise<number>;
}

export function createPublishNotifier(publicUrl: string, partners: PartnerStore = createPartnerStore(), outbox: OutboxStore = createOutboxStore()): PublishNotifier {
  return {
    async published(tx, pfIds, now) {
      if (pfIds.length === 0) return 0;
      const subscribers = await partners.subscribers(tx);
      for (const p of subscribers) {
        const event = buildEvent(p.apiVersion, 'published', pactIssuer(publicUrl, tx.tenantId), now, { pfIds: [...pfIds] });
        await outbox.enqueue(tx, p.id, p.apiVersion, event, now);
      }
      return subscribers.length;
    },
  };
}
