// Tenant self-service in the management API: who am I, API keys, user roles, built-in tokens, the audit trail.
import { Router } from 'express';
import { exportAudit, verifyAudit } from '../audit/audit-log';
import type { Database } from '../store/database';
import type { BuiltinIssuer } from '../tenancy/builtin-issuer';
import { callerOf, isRole, requireRole } from '../tenancy/caller';
import type { TenantService } from '../tenancy/tenant-service';
import { managementError, sendFailure } from './management-errors';

export interface TenantAdminRoutesDeps {
  readonly tenants: TenantService;
  readonly db: Database;
  readonly issuer?: BuiltinIssuer;
  readonly maxTokenTtlSeconds: number;
}

export function createTenantAdminRouter(deps: TenantAdminRoutesDeps): Router {
  const router = Router();
  const admin = requireRole('admin');
  const meta = (res: Parameters<typeof callerOf>[0]) => ({ actor: callerOf(res).actor, requestId: res.locals.requestId as string | undefined });

  router.get('/tenant', async (_req, res) => {
    const caller = callerOf(res);
    const tenant = await deps.tenants.get(caller.tenantId);
    res.json({ tenant, caller: { subject: caller.subject, role: caller.role, via: caller.via } });
  });

  router.get('/apikeys', admin, async (_req, res) => {
    res.json(await deps.tenants.listApiKeys(callerOf(res).tenantId));
  });

  router.post('/apikeys', admin, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const result = await deps.tenants.createApiKey(callerOf(res).tenantId, body.name, body.role, meta(res));
    if (!result.ok) return sendFailure(res, result);
    res.status(201).json({ ...result.value.record, key: result.value.key });
  });

  router.delete('/apikeys/:id', admin, async (req, res) => {
    const result = await deps.tenants.revokeApiKey(callerOf(res).tenantId, String(req.params.id), meta(res));
    if (!result.ok) return sendFailure(res, result);
    res.status(204).end();
  });

  router.get('/users', admin, async (_req, res) => {
    res.json(await deps.tenants.listUserRoles(callerOf(res).tenantId));
  });

  router.put('/users/:subject', admin, async (req, res) => {
    const result = await deps.tenants.setUserRole(callerOf(res).tenantId, String(req.params.subject), ((req.body ?? {}) as Record<string, unknown>).role, meta(res));
    if (!result.ok) return sendFailure(res, result);
    res.json(result.value);
  });

  router.delete('/users/:subject', admin, async (req, res) => {
    const result = await deps.tenants.removeUserRole(callerOf(res).tenantId, String(req.params.subject), meta(res));
    if (!result.ok) return sendFailure(res, result);
    res.status(204).end();
  });

  router.post('/tokens', admin, async (req, res) => {
    if (!deps.issuer) return managementError(res, 400, 'BadRequest', 'the built-in issuer is disabled: tokens come from the configured identity provider');
    const body = (req.body ?? {}) as Record<string, unknown>;
    const ttl = body.ttlSeconds === undefined ? deps.maxTokenTtlSeconds : body.ttlSeconds;
    if (typeof body.subject !== 'string' || body.subject.length === 0 || body.subject.length > 256) return managementError(res, 400, 'BadRequest', 'subject is required (1–256 characters)');
    if (!isRole(body.role)) return managementError(res, 400, 'BadRequest', 'role must be admin, publisher or viewer');
    if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 60 || ttl > deps.maxTokenTtlSeconds) {
      return managementError(res, 400, 'BadRequest', `ttlSeconds must be an integer between 60 and ${deps.maxTokenTtlSeconds}`);
    }
    const issued = await deps.issuer.issue(callerOf(res).tenantId, body.subject, body.role, ttl);
    res.status(201).json({ access_token: issued.token, token_type: 'Bearer', expires_in: ttl, expires_at: issued.expiresAt.toISOString() });
  });

  router.get('/audit', admin, async (_req, res) => {
    const tenantId = callerOf(res).tenantId;
    res.type('application/x-ndjson');
    await deps.db.withTenant(tenantId, async (tx) => {
      for await (const line of exportAudit(tx)) res.write(line);
    });
    res.end();
  });

  router.post('/audit/verify', admin, async (_req, res) => {
    res.json(await deps.db.withTenant(callerOf(res).tenantId, verifyAudit));
  });

  return router;
}
