// Management API v3 transferprocesses: start (consumer), query, state, terminate / suspend / resume, EDC shapes.
import { Router, type Request, type Response } from 'express';
import { fail } from '../common/result';
import { DIALECT_INFO } from '../dsp/dialects';
import type { TransferProcess } from '../transfer/transfer-process';
import type { TransferCommand } from '../transfer/transfer-service';
import { callerOf, requireRole, WRITERS } from '../tenancy/caller';
import { createManagementBodyReader, idResponse, withContext } from './jsonld-body';
import { sendFailure } from './management-errors';
import { checkedCallbacks, dspTarget, field, querySpecOfBody, stringField, type ManagementControlPlaneDeps } from './negotiation-routes';

export function transferJson(t: TransferProcess, extra: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return withContext({
    '@type': 'TransferProcess', '@id': t.id, type: t.role === 'provider' ? 'PROVIDER' : 'CONSUMER', protocol: DIALECT_INFO[t.dialect].protocol,
    state: t.state, stateTimestamp: t.stateTimestamp, contractId: t.agreementId, transferType: t.format, counterPartyAddress: t.counterPartyAddress,
    correlationId: t.role === 'provider' ? t.consumerPid : (t.providerPid ?? null),
    ...(typeof extra['assetId'] === 'string' ? { assetId: extra['assetId'] } : {}), ...(t.errorDetail !== undefined ? { errorDetail: t.errorDetail } : {}),
    callbackAddresses: extra['callbackAddresses'] ?? [], privateProperties: extra['privateProperties'] ?? {},
  });
}

/** Mount at `/management/v3/transferprocesses` (after the authorizer). */
export function createTransferRoutes(deps: ManagementControlPlaneDeps): Router {
  const r = Router();
  const { cp } = deps;
  const tenant = (res: Response) => callerOf(res).tenantId;

  r.post('/', requireRole(...WRITERS), async (req: Request, res: Response) => {
    const body = req.body as unknown;
    const target = dspTarget(body, deps);
    if (!target.ok) return sendFailure(res, target);
    const agreementId = stringField(body, 'contractId');
    if (agreementId === undefined) return sendFailure(res, fail('bad-request', 'contractId is required'));
    const callbacks = checkedCallbacks(body, deps);
    if (!callbacks.ok) return sendFailure(res, callbacks);
    const pp = field(body, 'privateProperties');
    const started = await cp.transfers.start(tenant(res), {
      agreementId, counterPartyAddress: target.value.address, dialect: target.value.dialect, format: stringField(body, 'transferType') ?? 'HttpData-PULL', callbackAddresses: callbacks.value,
      ...(typeof pp === 'object' && pp !== null ? { privateProperties: pp as Record<string, unknown> } : {}), actor: callerOf(res).actor,
    });
    if (!started.ok) return sendFailure(res, started);
    res.json(idResponse(started.value.entity.id, started.value.entity.createdAt));
  });
  const reader = createManagementBodyReader();
  r.post('/request', async (req: Request, res: Response) => {
    const spec = await querySpecOfBody(reader, req.body);
    if (!spec.ok) return sendFailure(res, spec);
    const rows = await cp.db.withTenant(tenant(res), (tx) => cp.transferStore.query(tx, spec.value));
    if (!rows.ok) return sendFailure(res, rows);
    res.json(rows.value.map((s) => transferJson(s.entity, s.extra)));
  });
  const load = (res: Response, id: string) => cp.db.withTenant(tenant(res), (tx) => cp.transferStore.find(tx, id));
  r.get('/:id', async (req: Request, res: Response) => {
    const s = await load(res, String(req.params.id));
    if (s === undefined) return sendFailure(res, fail('not-found', `transfer process ${String(req.params.id)} not found`));
    res.json(transferJson(s.entity, s.extra));
  });
  r.get('/:id/state', async (req: Request, res: Response) => {
    const s = await load(res, String(req.params.id));
    if (s === undefined) return sendFailure(res, fail('not-found', `transfer process ${String(req.params.id)} not found`));
    res.json(withContext({ '@type': 'TransferState', state: s.entity.state }));
  });
  const commands: [string, TransferCommand][] = [['terminate', 'termination'], ['suspend', 'suspension'], ['resume', 'start'], ['complete', 'completion']];
  for (const [verb, command] of commands) {
    r.post(`/:id/${verb}`, requireRole(...WRITERS), async (req: Request, res: Response) => {
      const c = await cp.transfers.command(tenant(res), String(req.params.id), command, stringField(req.body, 'reason'), callerOf(res).actor);
      if (!c.ok) return sendFailure(res, c);
      res.status(204).end();
    });
  }
  return r;
}
