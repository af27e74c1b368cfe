// policy.monitor: periodically re-evaluates the agreements of running provider transfers and terminates those that fail.
import type { PolicyEngine } from '../../policies/index';
import { denialReason } from '../catalog-service/participant';
import type { NegotiationStore } from '../negotiation/negotiation-store';
import type { Database } from '../store/database';
import type { TransferService } from './transfer-service';
import type { TransferStore } from './transfer-store';
import { monitorContext } from './usage-policy-guard';

export interface PolicyMonitorDeps {
  readonly db: Pick<Database, 'withTenant'>;
  readonly transfers: Pick<TransferStore, 'list'>;
  readonly agreements: Pick<NegotiationStore, 'findAgreement'>;
  readonly service: Pick<TransferService, 'command'>;
  readonly engine: PolicyEngine;
  readonly now: () => Date;
  listTenants(): Promise<readonly string[]>;
  /** Default 60 000 ms. */
  readonly intervalMs?: number;
  readonly onError?: (err: unknown, context: string) => void;
}

export interface PolicyMonitor {
  start(): void;
  stop(): Promise<void>;
  /** One pass over every tenant; resolves with the ids of the transfers it terminated. */
  runOnce(): Promise<string[]>;
}

const PAGE = 500;

export function createPolicyMonitor(deps: PolicyMonitorDeps): PolicyMonitor {
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<string[]> | undefined;

  async function checkTenant(tenantId: string): Promise<string[]> {
    const doomed: { id: string; reason: string }[] = [];
    await deps.db.withTenant(tenantId, async (tx) => {
      for (let offset = 0; ; offset += PAGE) {
        const page = await deps.transfers.list(tx, { role: 'provider', state: 'STARTED' }, offset, PAGE);
        for (const { entity: t } of page) {
          const agreement = await deps.agreements.findAgreement(tx, t.agreementId);
          if (agreement === undefined) {
            doomed.push({ id: t.id, reason: 'agreement no longer exists' });
            continue;
          }
          // Credentials are not re-presented here: only scope-bound, time-like constraints (e.g. DataUsageEndDate) apply.
          const verdict = deps.engine.evaluate(agreement.policy, 'policy.monitor', monitorContext(agreement, deps.now()));
          if (!verdict.allowed) doomed.push({ id: t.id, reason: `policy no longer satisfied: ${denialReason(verdict.explanation)}` });
        }
        if (page.length < PAGE) break;
      }
    });
    const ended: string[] = [];
    for (const d of doomed) {
      const r = await deps.service.command(tenantId, d.id, 'termination', d.reason, 'system:policy-monitor');
      if (r.ok) ended.push(d.id);
    }
    return ended;
  }

  async function runOnce(): Promise<string[]> {
    const ended: string[] = [];
    for (const tenantId of await deps.listTenants()) {
      try {
        ended.push(...(await checkTenant(tenantId)));
      } catch (err) {
        deps.onError?.(err, `policy-monitor: tenant ${tenantId}`);
      }
    }
    return ended;
  }

  return {
    start() {
      if (timer !== undefined) return;
      timer = setInterval(() => {
        if (current === undefined) current = runOnce().finally(() => (current = undefined));
      }, deps.intervalMs ?? 60_000);
      timer.unref();
    },
    async stop() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      await current;
    },
    runOnce,
  };
}
