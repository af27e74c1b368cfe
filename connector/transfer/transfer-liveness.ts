// Answers the PACT host's per-request question "is the transfer behind this token still live?", with a short cache.
import type { TokenBinding } from '../credentials/token-minter';
import type { Database } from '../store/database';
import type { TransferStore } from './transfer-store';

export interface LivenessAnswer {
  readonly live: boolean;
  readonly agreementId?: string;
  readonly consumerBpn?: string;
  readonly transferId?: string;
}

export interface TransferLiveness {
  /**
   * Whether any transfer served by `binding` (a jti, or a Cognito token hash shared by several transfers) is running
   * (STARTED, or STARTING while the consumer already has the start message). Cached briefly per binding.
   */
  isLive(tenantId: string, binding: TokenBinding | string): Promise<LivenessAnswer>;
  /** Drops cached answers of a tenant at once (called on every provider transfer leaving a live state). */
  invalidate(tenantId: string): void;
}

export interface TransferLivenessDeps {
  readonly db: Pick<Database, 'withTenant'>;
  readonly store: Pick<TransferStore, 'lookupBinding'>;
  readonly now: () => Date;
  /** How long an answer is reused (default 2 000 ms). */
  readonly cacheMs?: number;
  /** Bound on cached entries (default 10 000). */
  readonly maxEntries?: number;
}

const LIVE_STATES = new Set(['STARTED', 'STARTING']);

export function createTransferLiveness(deps: TransferLivenessDeps): TransferLiveness {
  const cacheMs = deps.cacheMs ?? 2000;
  const maxEntries = deps.maxEntries ?? 10_000;
  const cache = new Map<string, Map<string, { answer: LivenessAnswer; until: number }>>();
  // Bumped by invalidate: an answer read before an invalidation is never cached after it.
  const generations = new Map<string, number>();
  return {
    async isLive(tenantId, binding) {
      const value = typeof binding === 'string' ? binding : binding.value;
      const now = deps.now().getTime();
      const perTenant = cache.get(tenantId);
      const hit = perTenant?.get(value);
      if (hit !== undefined && hit.until > now) return hit.answer;
      const generation = generations.get(tenantId) ?? 0;
      const rows = await deps.db.withTenant(tenantId, (tx) => deps.store.lookupBinding(tx, value));
      const live = rows.find((r) => LIVE_STATES.has(r.state));
      const answer: LivenessAnswer = live === undefined
        ? { live: false }
        : { live: true, agreementId: live.agreementId, transferId: live.transferId, ...(live.consumerBpn !== undefined ? { consumerBpn: live.consumerBpn } : {}) };
      if ((generations.get(tenantId) ?? 0) !== generation) return answer;
      const map = cache.get(tenantId) ?? new Map<string, { answer: LivenessAnswer; until: number }>();
      if (map.size >= maxEntries) map.clear();
      map.set(value, { answer, until: now + cacheMs });
      cache.set(tenantId, map);
      return answer;
    },
    invalidate(tenantId) {
      cache.delete(tenantId);
      generations.set(tenantId, (generations.get(tenantId) ?? 0) + 1);
    },
  };
}
