// Management API v3 transferprocesses: start (consumer), query, state, terminate / suspend / resume, EDC shapes.
import { Router, type Request, type Response } from 'express';
import { fail } from '../common/result';
import { DIALECT_INFO } from '../dsp/dialects';
import { parseCallbackAddresses } from '../negotiation/control-plane-events';
import type { TransferProcess } from '../transfer/transfer-process';
import type { TransferCommand } from '../transfer/transfer-service';
import { callerOf, requireRole, WRITERS } from '../tenancy/caller';
import { idResponse, withContext } from './jsonld-body';
import { sendFailure } from './management-errors';
import { checkAddress, dialectOfProtocol, field, pageOf, stringField, type ManagementControlPlaneDeps } from './negotiation-routes';

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
    const address = checkAddress(stringField(body, 'counterPartyAddress'), 'counterPartyAddress', deps);
    if (!address.ok) return sendFailure(res, address);
    const dialect = dialectOfProtocol(stringField(body, 'protocol'));
    if (!dialect.ok) return sendFailure(res, dialect);
    const agreementId = stringField(body, 'contractId');
    if (agreementId === undefined) return sendFailure(res, fail('bad-request', 'contractId is required'));
    const callbacks = parseCallbackAddresses(field(body, 'callbackAddresses'));
    for (const cb of callbacks) {
      const checked = checkAddress(cb.uri, 'callbackAddresses.uri', deps);
      if (!checked.ok) return sendFailure(res, checked);
    }
    const pp = field(body, 'privateProperties');
    const started = await cp.transfers.start(tenant(res), {
      agreementId, counterPartyAddress: address.value, dialect: dialect.value, format: stringField(body, 'transferType') ?? 'HttpData-PULL', callbackAddresses: callbacks,
      ...(typeof pp === 'object' && pp !== null ? { privateProperties: pp as Record<string, unknown> } : {}), actor: callerOf(res).actor,
    });
    if (!started.ok) return sendFailure(res, started);
    res.json(idResponse(started.value.entity.id, started.value.entity.createdAt));
  });
  r.post('/request', async (req: Request, res: Response) => {
    const p = pageOf(req.body);
    const rows = await cp.db.withTenant(tenant(res), (tx) => cp.transferStore.list(tx, {}, p.offset, p.limit, p.order));
    res.json(rows.map((s) => transferJson(s.entity, s.extra)));
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
