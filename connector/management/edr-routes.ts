// Management API v3 edrs (Tractus-X shape): list cached EDRs, read a transfer's data address, delete it.
import { Router, type Request, type Response } from 'express';
import { fail } from '../common/result';
import { callerOf, requireRole, WRITERS } from '../tenancy/caller';
import { withContext } from './jsonld-body';
import { sendFailure } from './management-errors';
import { pageOf, type ManagementControlPlaneDeps } from './negotiation-routes';

const EDC_NS = 'https://w3id.org/edc/v0.0.1/ns/';
const TX_AUTH_NS = 'https://w3id.org/tractusx/auth/';

/** The Tractus-X EDR JSON of a DSP data address: endpoint properties flattened under EDC / tx-auth names. */
export function edrJson(address: { endpointType: string; endpoint?: string; endpointProperties: readonly { name: string; value: string }[] }): Record<string, unknown> {
  const out: Record<string, unknown> = { '@type': 'DataAddress', type: address.endpointType, endpointType: address.endpointType };
  if (address.endpoint !== undefined) out['endpoint'] = address.endpoint;
  for (const p of address.endpointProperties) {
    const key = p.name.startsWith(EDC_NS) ? p.name.slice(EDC_NS.length) : p.name.startsWith(TX_AUTH_NS) ? `tx-auth:${p.name.slice(TX_AUTH_NS.length)}` : p.name;
    out[key] = p.value;
  }
  return { ...withContext(out), '@context': { ...(withContext({})['@context'] as Record<string, string>), 'tx-auth': TX_AUTH_NS } };
}

/** Mount at `/management/v3/edrs`. Refresh (`POST /{id}/refresh`, `auto_refresh`) is not implemented yet: 501. */
export function createEdrRoutes(deps: ManagementControlPlaneDeps & { readonly vault: { get(t: string, id: string): Promise<unknown>; delete(t: string, id: string): Promise<void> } }): Router {
  const r = Router();
  const { cp } = deps;
  const tenant = (res: Response) => callerOf(res).tenantId;

  r.post('/request', async (req: Request, res: Response) => {
    const p = pageOf(req.body);
    const rows = await cp.db.withTenant(tenant(res), (tx) => cp.transferStore.list(tx, { role: 'consumer', state: 'STARTED' }, p.offset, p.limit, p.order));
    res.json(rows.map((s) => withContext({ '@type': 'EndpointDataReferenceEntry', '@id': s.entity.id, transferProcessId: s.entity.id, agreementId: s.entity.agreementId, providerId: s.entity.counterPartyId, ...(typeof s.extra['assetId'] === 'string' ? { assetId: s.extra['assetId'] } : {}), createdAt: s.entity.createdAt })));
  });
  r.get('/:id/dataaddress', async (req: Request, res: Response) => {
    const id = String(req.params.id);
    const t = await cp.db.withTenant(tenant(res), (tx) => cp.transferStore.find(tx, id));
    const edr = t !== undefined && t.entity.role === 'consumer' && t.entity.state === 'STARTED' ? await deps.vault.get(tenant(res), id) : undefined;
    if (edr === undefined) return sendFailure(res, fail('not-found', `no EDR for transfer process ${id}`));
    res.json(edrJson(edr as Parameters<typeof edrJson>[0]));
  });
  r.post('/:id/refresh', (_req: Request, res: Response) => {
    res.status(501).json([{ message: 'EDR refresh is not implemented yet', type: 'NotImplemented', path: null, invalidValue: null }]);
  });
  r.delete('/:id', requireRole(...WRITERS), async (req: Request, res: Response) => {
    await deps.vault.delete(tenant(res), String(req.params.id));
    res.status(204).end();
  });
  return r;
}
