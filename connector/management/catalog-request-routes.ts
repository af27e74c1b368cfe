// Management API v3 catalog/request and catalog/dataset/request: fetch a counter-party's DSP catalog for the caller's tenant.
import { Router, type Request, type Response } from 'express';
import { fail } from '../common/result';
import { callerOf } from '../tenancy/caller';
import { sendFailure } from './management-errors';
import { dspTarget, stringField, type ManagementControlPlaneDeps } from './negotiation-routes';

/** Mount at `/management/v3/catalog`. The provider's JSON-LD answer is relayed as received (it carries its own context). */
export function createCatalogRequestRoutes(deps: ManagementControlPlaneDeps): Router {
  const r = Router();
  const { cp } = deps;

  async function relay(req: Request, res: Response, dataset: boolean): Promise<void> {
    const body = req.body as unknown;
    const target = dspTarget(body, deps);
    if (!target.ok) return sendFailure(res, target);
    const counterPartyId = stringField(body, 'counterPartyId');
    if (counterPartyId === undefined) return sendFailure(res, fail('bad-request', 'counterPartyId is required'));
    const datasetId = stringField(body, '@id') ?? stringField(body, 'id');
    if (dataset && datasetId === undefined) return sendFailure(res, fail('bad-request', 'the dataset @id is required'));
    const out = await cp.client.fetchJson({
      tenantId: callerOf(res).tenantId, counterPartyId, baseUrl: target.value.address, dialect: target.value.dialect,
      path: dataset ? `/catalog/datasets/${encodeURIComponent(datasetId as string)}` : '/catalog/request',
      ...(dataset ? {} : { message: { type: 'CatalogRequestMessage' } }),
    });
    // Refused before anything was sent (unknown BPNL, address refused): the caller's input. Otherwise the peer failed.
    if (!out.ok && out.status === undefined && !out.retryable) return sendFailure(res, fail('bad-request', out.message));
    if (!out.ok) {
      res.status(out.status === 404 ? 404 : 502).json([{ message: out.message, type: out.status === 404 ? 'ObjectNotFound' : 'BadGateway', path: null, invalidValue: null }]);
      return;
    }
    res.json(out.value);
  }
  r.post('/request', (req, res) => relay(req, res, false));
  r.post('/dataset/request', (req, res) => relay(req, res, true));
  return r;
}
