// Management API v3 edrs (Tractus-X shape): list cached EDRs, read a transfer's data address, delete it.
import { Router, type Request, type Response } from 'express';
import { fail } from '../common/result';
import type { ControlPlane } from '../negotiation/control-plane';
import { callerOf, requireRole, WRITERS } from '../tenancy/caller';
import { createManagementBodyReader, withContext } from './jsonld-body';
import { sendFailure } from './management-errors';
import { querySpecOfBody, type ManagementControlPlaneDeps } from './negotiation-routes';

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

/** Mount at `/management/v3/edrs`. `auto_refresh` defaults to true (Tractus-X); `POST /{id}/refresh` refreshes now. */
export function createEdrRoutes(deps: ManagementControlPlaneDeps & { readonly cp: Pick<ControlPlane, 'edrs' | 'vault'> }): Router {
  const r = Router();
  const { cp } = deps;
  const tenant = (res: Response) => callerOf(res).tenantId;

  const reader = createManagementBodyReader();
  r.post('/request', async (req: Request, res: Response) => {
    const spec = await querySpecOfBody(reader, req.body);
    if (!spec.ok) return sendFailure(res, spec);
    const rows = await cp.db.withTenant(tenant(res), (tx) => cp.transferStore.queryEdrs(tx, spec.value));
    if (!rows.ok) return sendFailure(res, rows);
    res.json(rows.value.map(({ transfer: s, contractNegotiationId }) => withContext({
      '@type': 'EndpointDataReferenceEntry', '@id': s.entity.id, transferProcessId: s.entity.id, agreementId: s.entity.agreementId, providerId: s.entity.counterPartyId,
      ...(typeof s.extra['assetId'] === 'string' ? { assetId: s.extra['assetId'] } : {}), ...(contractNegotiationId !== undefined ? { contractNegotiationId } : {}), createdAt: s.entity.createdAt,
    })));
  });
  r.get('/:id/dataaddress', async (req: Request, res: Response) => {
    const flag = req.query['auto_refresh'];
    if (flag !== undefined && flag !== 'true' && flag !== 'false') return sendFailure(res, fail('bad-request', 'auto_refresh must be true or false'));
    const edr = await cp.edrs.dataAddress(tenant(res), String(req.params.id), flag !== 'false');
    if (!edr.ok) return sendFailure(res, edr);
    res.json(edrJson(edr.value));
  });
  r.post('/:id/refresh', requireRole(...WRITERS), async (req: Request, res: Response) => {
    const edr = await cp.edrs.refresh(tenant(res), String(req.params.id));
    if (!edr.ok) return sendFailure(res, edr);
    res.json(edrJson(edr.value));
  });
  r.delete('/:id', requireRole(...WRITERS), async (req: Request, res: Response) => {
    await cp.vault.delete(tenant(res), String(req.params.id));
    res.status(204).end();
  });
  return r;
}
