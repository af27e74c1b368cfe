// Operator identity API (mounted under /operator/v1 after operator auth): dev-anchor credentials, wallets, BPN ↔ DID directory.
import { Router, type Request, type Response } from 'express';
import { appendOperatorAudit } from '../../audit/operator-audit-log';
import { isValidTenantId } from '../../common/tenant-id';
import { managementError, sendFailure } from '../../management/management-errors';
import type { Database } from '../../store/database';
import type { SqlBpnDirectory } from '../module/sql-bpn-directory';
import { STANDARD_CREDENTIAL_TYPES, type CredentialSummary, type TrustAnchorIssuance } from '../module/trust-anchor-issuance';

export interface IdentityOperatorRoutesDeps {
  /** The active tenant `tenantId` (id and BPN), or undefined. */
  readonly findTenant: (tenantId: string) => Promise<{ readonly id: string; readonly bpn: string } | undefined>;
  readonly didOf: (tenantId: string) => string;
  /** Absent when the dev trust anchor is disabled. */
  readonly issuance?: TrustAnchorIssuance;
  readonly listCredentials: (tenantId: string) => Promise<CredentialSummary[]>;
  readonly directory: SqlBpnDirectory;
  readonly db: Pick<Database, 'withSystem'>;
  readonly now: () => Date;
}

function requestId(res: Response): string | undefined {
  return res.locals.requestId as string | undefined;
}

function body(req: Request): Record<string, unknown> {
  const b: unknown = req.body;
  return b !== null && typeof b === 'object' && !Array.isArray(b) ? (b as Record<string, unknown>) : {};
}

export function createIdentityOperatorRouter(deps: IdentityOperatorRoutesDeps): Router {
  const router = Router();

  async function tenantOr404(res: Response, tenantId: unknown): Promise<{ id: string; bpn: string } | undefined> {
    const tenant = isValidTenantId(tenantId) ? await deps.findTenant(tenantId) : undefined;
    if (tenant === undefined) managementError(res, 404, 'ObjectNotFound', `tenant ${String(tenantId)} does not exist`);
    return tenant;
  }

  function anchorOr400(res: Response): TrustAnchorIssuance | undefined {
    if (deps.issuance === undefined) managementError(res, 400, 'BadRequest', 'the dev trust anchor is disabled: credentials come from the dataspace issuer');
    return deps.issuance;
  }

  router.post('/credentials/issue', async (req, res) => {
    const b = body(req);
    const issuance = anchorOr400(res);
    if (issuance === undefined) return;
    if (b.types !== undefined && (!Array.isArray(b.types) || !b.types.every((t) => typeof t === 'string'))) {
      return managementError(res, 400, 'BadRequest', `types must be an array of ${STANDARD_CREDENTIAL_TYPES.join(', ')}`);
    }
    const tenant = await tenantOr404(res, b.tenantId);
    if (tenant === undefined) return;
    const types = (b.types as string[] | undefined) ?? STANDARD_CREDENTIAL_TYPES;
    const result = await issuance.issue({ tenantId: tenant.id, did: deps.didOf(tenant.id), bpn: tenant.bpn }, types, 'operator', requestId(res));
    if (!result.ok) return sendFailure(res, result);
    res.status(201).json({ tenantId: tenant.id, issuer: issuance.did, items: result.value });
  });

  router.post('/credentials/revoke', async (req, res) => {
    const b = body(req);
    const issuance = anchorOr400(res);
    if (issuance === undefined) return;
    if (typeof b.credentialId !== 'string' || b.credentialId.length === 0 || b.credentialId.length > 512) {
      return managementError(res, 400, 'BadRequest', 'credentialId is required');
    }
    if (b.removeFromWallet !== undefined && typeof b.removeFromWallet !== 'boolean') return managementError(res, 400, 'BadRequest', 'removeFromWallet must be a boolean');
    const tenant = await tenantOr404(res, b.tenantId);
    if (tenant === undefined) return;
    const result = await issuance.revoke(tenant.id, b.credentialId, { removeFromWallet: b.removeFromWallet !== false, actor: 'operator', requestId: requestId(res) });
    if (!result.ok) return sendFailure(res, result);
    res.json({ tenantId: tenant.id, revoked: true, credential: result.value });
  });

  router.get('/tenants/:tenantId/credentials', async (req, res) => {
    const tenant = await tenantOr404(res, req.params.tenantId);
    if (tenant === undefined) return;
    res.json({ tenantId: tenant.id, did: deps.didOf(tenant.id), items: await deps.listCredentials(tenant.id) });
  });

  router.get('/directory', async (_req, res) => {
    res.json({ items: await deps.directory.list() });
  });

  router.get('/directory/:bpn', async (req, res) => {
    const entry = await deps.directory.entry(String(req.params.bpn));
    if (entry === undefined) return managementError(res, 404, 'ObjectNotFound', `no directory entry for ${String(req.params.bpn)}`);
    res.json(entry);
  });

  router.put('/directory/:bpn', async (req, res) => {
    const bpn = String(req.params.bpn);
    const did = body(req).did;
    if (typeof did !== 'string') return managementError(res, 400, 'BadRequest', 'did is required');
    const result = await deps.directory.put(bpn, did);
    if (!result.ok) return sendFailure(res, result);
    await deps.db.withSystem((tx) => appendOperatorAudit(tx, { actor: 'operator', action: 'directory.put', target: `bpn/${bpn}`, requestId: requestId(res) }, deps.now()));
    res.status(result.value.created ? 201 : 200).json({ bpn, did, source: 'operator' });
  });

  router.delete('/directory/:bpn', async (req, res) => {
    const bpn = String(req.params.bpn);
    const result = await deps.directory.remove(bpn);
    if (!result.ok) return sendFailure(res, result);
    await deps.db.withSystem((tx) => appendOperatorAudit(tx, { actor: 'operator', action: 'directory.remove', target: `bpn/${bpn}`, requestId: requestId(res) }, deps.now()));
    res.status(204).end();
  });

  return router;
}
