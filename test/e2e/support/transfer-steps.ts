// Steps around a running transfer through a real runtime: the consumer's EDR, the provider's process id, a PACT read.
import { tokenHash } from '../../../connector/credentials/token-minter';
import { call, type TestRuntime } from '../../support/runtime';
import { eventually, type Api, type Reply } from './runtime-flow-steps';

/** The EDR as the management API shows it (short property names). */
export interface EdrView {
  readonly endpoint: string;
  readonly authorization: string;
  readonly 'tx-auth:refreshToken': string;
}

/** The consumer's current EDR of `transferId`, waiting until there is one (a resumed transfer gets it a moment later). */
export async function edrOf(consumer: Api, transferId: string): Promise<EdrView> {
  const r = await eventually(() => consumer('GET', `/edrs/${encodeURIComponent(transferId)}/dataaddress?auto_refresh=false`), (x) => x.status === 200);
  return r.body as EdrView;
}

/** The provider's process id of a consumer transfer (the consumer's `correlationId`). */
export async function providerProcessOf(consumer: Api, transferId: string): Promise<string> {
  const r = await consumer('GET', `/transferprocesses/${encodeURIComponent(transferId)}`);
  const id = (r.body as { correlationId?: unknown }).correlationId;
  if (typeof id !== 'string') throw new Error(`no provider process id in ${JSON.stringify(r.body)}`);
  return id;
}

/** GET one footprint from `tenantId`'s PACT host (v3) with a data-plane token. */
export function readFootprint(rt: TestRuntime, tenantId: string, footprintId: string, token: string): Promise<Reply> {
  return call(rt.baseUrl, 'GET', `/tenants/${tenantId}/pact/3/footprints/${footprintId}`, { authorization: `Bearer ${token}` });
}

/** The status (`active`, `retired`, …) of a refresh token at the provider, or undefined when unknown there. */
export async function refreshTokenStatus(rt: TestRuntime, providerTenant: string, refreshToken: string): Promise<string | undefined> {
  const rows = await rt.runtime.db.withTenant(providerTenant, (tx) => tx.query<{ token_hash: string; status: string }>('SELECT token_hash, status FROM credential_refresh_tokens'));
  return rows.find((r) => r.token_hash === tokenHash(refreshToken))?.status;
}
