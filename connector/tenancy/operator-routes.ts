// Operator API: onboard, list, read and offboard tenants, mint built-in management tokens, read and verify the audit trails.
import { createHash, timingSafeEqual } from 'node:crypto';
import { Router, type NextFunction, type Request, type Response } from 'express';
import { readOperatorAudit, verifyOperatorAudit } from '../audit/operator-audit-log';
import { verifyAudit } from '../audit/audit-log';
import { isValidTenantId } from '../common/tenant-id';
import type { Database } from '../store/database';
import { managementError, sendFailure } from '../management/management-errors';
import type { BuiltinIssuer } from './builtin-issuer';
import { isRole } from './caller';
import type { OnboardInput, TenantService } from './tenant-service';
import { listTenants } from './tenant-store';

export interface OperatorRoutesDeps {
  readonly operatorKey: string;
  readonly tenants: TenantService;
  readonly db: Database;
  readonly issuer?: BuiltinIssuer;
  readonly maxTokenTtlSeconds: number;
  /** Further operator routers (identity, credentials), mounted behind the same operator check. */
  readonly extensions?: readonly Router[];
}

const digest = (s: string) => createHash('sha256').update(s).digest();

function meta(res: Response) {
  return { actor: 'operator', requestId: res.locals.requestId as string | undefined };
}

function intParam(value: unknown, fallback: number, max: number): number | undefined {
  if (value === undefined) return fallback;
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(n) && n >= 0 && n <= max ? n : undefined;
}

/** Verifies every tenant's chain and the operator's own; used by the route and the CLI. */
export async function verifyAllAuditTrails(db: Database): Promise<{ ok: boolean; operator: Awaited<ReturnType<typeof verifyOperatorAudit>>; tenants: Record<string, Awaited<ReturnType<typeof verifyAudit>>> }> {
  const operator = await db.withSystem(verifyOperatorAudit);
  const tenants: Record<string, Awaited<ReturnType<typeof verifyAudit>>> = {};
  for (let after = '', page = await db.withSystem((tx) => listTenants(tx, after, 200)); page.length > 0; after = page[page.length - 1].id, page = await db.withSystem((tx) => listTenants(tx, after, 200))) {
    for (const t of page) tenants[t.id] = await db.withTenant(t.id, verifyAudit);
  }
  return { ok: operator.ok && Object.values(tenants).every((v) => v.ok), operator, tenants };
}

export function createOperatorRouter(deps: OperatorRoutesDeps): Router {
  const router = Router();
  const expected = digest(deps.operatorKey);

  router.use((req: Request, res: Response, next: NextFunction) => {
    const header = req.get('authorization') ?? '';
    const presented = /^bearer\s+/i.test(header) ? header.replace(/^bearer\s+/i, '').trim() : '';
    if (!presented || !timingSafeEqual(digest(presented), expected)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="operator"');
      managementError(res, 401, 'Unauthenticated', 'the operator API needs Authorization: Bearer <operator key>');
      return;
    }
    next();
  });

  router.post('/tenants', async (req, res) => {
    const result = await deps.tenants.onboard((req.body ?? {}) as OnboardInput, meta(res));
    if (!result.ok) return sendFailure(res, result);
    res.status(201).location(`/operator/v1/tenants/${result.value.tenant.id}`).json(result.value);
  });

  router.get('/tenants', async (req, res) => {
    const limit = intParam(req.query.limit, 50, 500);
    const after = typeof req.query.after === 'string' ? req.query.after : '';
    if (limit === undefined) return managementError(res, 400, 'BadRequest', 'limit must be an integer between 0 and 500');
    const items = await deps.tenants.list(after, limit);
    res.json({ items, next: items.length === limit && items.length > 0 ? items[items.length - 1].id : null });
  });

  router.get('/tenants/:id', async (req, res) => {
    const tenant = await deps.tenants.get(String(req.params.id));
    if (!tenant) return managementError(res, 404, 'ObjectNotFound', `tenant ${String(req.params.id)} does not exist`);
    res.json(tenant);
  });

  router.delete('/tenants/:id', async (req, res) => {
    const result = await deps.tenants.offboard(String(req.params.id), meta(res));
    if (!result.ok) return sendFailure(res, result);
    res.json({ erased: true, removed: result.value.removed });
  });

  router.post('/tenants/:id/tokens', async (req, res) => {
    if (!deps.issuer) return managementError(res, 400, 'BadRequest', 'the built-in issuer is disabled: tokens come from the configured identity provider');
    const tenant = isValidTenantId(String(req.params.id)) ? await deps.tenants.get(String(req.params.id)) : undefined;
    if (!tenant) return managementError(res, 404, 'ObjectNotFound', `tenant ${String(req.params.id)} does not exist`);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const subject = typeof body.subject === 'string' && body.subject.length > 0 && body.subject.length <= 256 ? body.subject : undefined;
    const ttl = body.ttlSeconds === undefined ? deps.maxTokenTtlSeconds : body.ttlSeconds;
    if (!subject) return managementError(res, 400, 'BadRequest', 'subject is required (1–256 characters)');
    if (!isRole(body.role)) return managementError(res, 400, 'BadRequest', 'role must be admin, publisher or viewer');
    if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 60 || ttl > deps.maxTokenTtlSeconds) {
      return managementError(res, 400, 'BadRequest', `ttlSeconds must be an integer between 60 and ${deps.maxTokenTtlSeconds}`);
    }
    const issued = await deps.issuer.issue(tenant.id, subject, body.role, ttl);
    res.status(201).json({ access_token: issued.token, token_type: 'Bearer', expires_in: ttl, expires_at: issued.expiresAt.toISOString() });
  });

  router.get('/audit', async (req, res) => {
    const after = intParam(req.query.after, 0, Number.MAX_SAFE_INTEGER);
    const limit = intParam(req.query.limit, 100, 1000);
    if (after === undefined || limit === undefined) return managementError(res, 400, 'BadRequest', 'after and limit must be non-negative integers (limit ≤ 1000)');
    res.json({ items: await deps.db.withSystem((tx) => readOperatorAudit(tx, after, limit)) });
  });

  router.post('/audit/verify', async (_req, res) => {
    res.json(await verifyAllAuditTrails(deps.db));
  });

  for (const extension of deps.extensions ?? []) router.use(extension);

  return router;
}
