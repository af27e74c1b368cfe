// Management routes of the PACT host: footprint requests (fulfil/reject), settings, PACT clients, partners, outbox.
import type { Router } from 'express';
import { appendAudit } from '../../connector/audit/audit-log';
import { sendFailure } from '../../connector/management/management-errors';
import { callerOf, requireRole, WRITERS } from '../../connector/tenancy/caller';
import { createPactClientStore, newClientId } from '../clients/pact-client-store';
import { canonicalBaseUrl, createPartnerStore, partnerSecretName } from '../clients/partner-store';
import { hashSecret, newClientSecret } from '../clients/secret-hash';
import { createOutboxStore, type OutboxStatus } from '../events/outbox-store';
import type { RequestStatus } from '../service/request-service';
import { actorOf, badRequest, wrap } from './management-helpers';
import type { FootprintManagementDeps } from './management-router';
import type { PactShared } from './pact-router';

const REQUEST_STATUSES: readonly RequestStatus[] = ['Pending', 'Fulfilled', 'Rejected'];
const OUTBOX_STATUSES: readonly OutboxStatus[] = ['pending', 'delivered', 'failed'];

function text(v: unknown, max = 200): string | undefined {
  return typeof v === 'string' && v.trim() !== '' && v.length <= max ? v.trim() : undefined;
}

export function registerPactAdminRoutes(router: Router, deps: FootprintManagementDeps & { shared: PactShared }): void {
  const { db, shared } = deps;
  const clients = createPactClientStore();
  const partners = createPartnerStore();
  const outbox = createOutboxStore();

  router.get('/footprint-requests', wrap(async (req, res) => {
    const status = req.query.status;
    if (status !== undefined && !REQUEST_STATUSES.includes(status as RequestStatus)) return badRequest(res, `status must be one of ${REQUEST_STATUSES.join(', ')}`, 'status', status);
    res.json(await shared.requests.list(callerOf(res).tenantId, status as RequestStatus | undefined));
  }));

  router.get('/footprint-requests/:id', wrap(async (req, res) => {
    const r = await shared.requests.get(callerOf(res).tenantId, String(req.params.id));
    if (!r.ok) return sendFailure(res, r);
    res.json(r.value);
  }));

  router.post('/footprint-requests/:id/fulfil', requireRole(...WRITERS), wrap(async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const ids = body.footprintIds;
    if (ids !== undefined && (!Array.isArray(ids) || ids.length === 0 || !ids.every((i) => typeof i === 'string'))) {
      return badRequest(res, 'footprintIds must be a non-empty array of footprint ids (omit it for automatic matching)', 'footprintIds', ids);
    }
    const r = await shared.requests.fulfil(callerOf(res).tenantId, actorOf(res), String(req.params.id), ids as string[] | undefined);
    if (!r.ok) return sendFailure(res, r);
    res.json(r.value);
  }));

  router.post('/footprint-requests/:id/reject', requireRole(...WRITERS), wrap(async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const error = { ...(typeof body.code === 'string' ? { code: body.code } : {}), ...(typeof body.message === 'string' ? { message: body.message } : {}) };
    const r = await shared.requests.reject(callerOf(res).tenantId, actorOf(res), String(req.params.id), error);
    if (!r.ok) return sendFailure(res, r);
    res.json(r.value);
  }));

  router.get('/pact/settings', wrap(async (_req, res) => {
    res.json(await shared.requests.settings(callerOf(res).tenantId));
  }));

  router.put('/pact/settings', requireRole('admin'), wrap(async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (typeof body.autoFulfil !== 'boolean') return badRequest(res, 'autoFulfil must be a boolean', 'autoFulfil', body.autoFulfil);
    res.json(await shared.requests.updateSettings(callerOf(res).tenantId, actorOf(res), { autoFulfil: body.autoFulfil }));
  }));

  router.post('/pact/clients', requireRole('admin'), wrap(async (req, res) => {
    const { tenantId } = callerOf(res);
    const who = actorOf(res);
    const name = text(((req.body ?? {}) as Record<string, unknown>).name);
    if (name === undefined) return badRequest(res, 'name is required (1–200 characters)', 'name');
    const secret = newClientSecret();
    const secretHash = await hashSecret(secret);
    const client = await db.withTenant(tenantId, async (tx) => {
      const c = await clients.insert(tx, { clientId: newClientId(), name, secretHash, createdBy: who.actor, createdAt: deps.now() });
      await appendAudit(tx, { actor: who.actor, action: 'pact-client.create', target: `pact-client/${c.clientId}`, after: c, requestId: who.requestId }, deps.now());
      return c;
    });
    const issuer = shared.tokens.issuer(tenantId);
    res.status(201).json({ ...client, clientSecret: secret, tokenEndpoint: `${issuer}/auth/token`, baseUrl: issuer });
  }));

  router.get('/pact/clients', requireRole('admin'), wrap(async (_req, res) => {
    res.json(await db.withTenant(callerOf(res).tenantId, (tx) => clients.list(tx)));
  }));

  router.delete('/pact/clients/:id', requireRole('admin'), wrap(async (req, res) => {
    const { tenantId } = callerOf(res);
    const who = actorOf(res);
    const id = String(req.params.id);
    const revoked = await db.withTenant(tenantId, async (tx) => {
      const c = await clients.revoke(tx, id, deps.now());
      if (c !== undefined) await appendAudit(tx, { actor: who.actor, action: 'pact-client.revoke', target: `pact-client/${id}`, before: c, requestId: who.requestId }, deps.now());
      return c;
    });
    if (revoked === undefined) return sendFailure(res, { ok: false, reason: 'not-found', message: `PACT client ${id} not found` });
    shared.clientStatus.evict(tenantId, id);
    shared.tokens.evictClient(tenantId, id);
    res.status(204).end();
  }));

  router.post('/pact/partners', requireRole('admin'), wrap(async (req, res) => {
    const { tenantId } = callerOf(res);
    const who = actorOf(res);
    const b = (req.body ?? {}) as Record<string, unknown>;
    const name = text(b.name);
    const clientId = text(b.clientId, 500);
    const clientSecret = typeof b.clientSecret === 'string' && b.clientSecret !== '' && b.clientSecret.length <= 2000 ? b.clientSecret : undefined;
    const url = (v: unknown): string | undefined => {
      const c = typeof v === 'string' ? canonicalBaseUrl(v) : undefined;
      return c !== undefined && (deps.allowHttpPartners === true || c.startsWith('https://')) ? c : undefined;
    };
    const baseUrl = url(b.baseUrl);
    const authBaseUrl = b.authBaseUrl === undefined ? baseUrl : url(b.authBaseUrl);
    const apiVersion = b.apiVersion ?? '3';
    if (name === undefined) return badRequest(res, 'name is required', 'name');
    if (baseUrl === undefined) return badRequest(res, 'baseUrl must be an absolute https URL of the partner PACT host', 'baseUrl', b.baseUrl);
    if (authBaseUrl === undefined) return badRequest(res, 'authBaseUrl must be an absolute https URL', 'authBaseUrl', b.authBaseUrl);
    if (apiVersion !== '2' && apiVersion !== '3') return badRequest(res, 'apiVersion must be "2" or "3"', 'apiVersion', apiVersion);
    if (clientId === undefined || clientSecret === undefined) return badRequest(res, 'clientId and clientSecret (our credentials at the partner) are required', 'clientId');
    if (b.subscribed !== undefined && typeof b.subscribed !== 'boolean') return badRequest(res, 'subscribed must be a boolean', 'subscribed', b.subscribed);
    const partner = await db.withTenant(tenantId, async (tx) => {
      const p = await partners.insert(tx, { name, baseUrl, authBaseUrl, apiVersion, clientId, subscribed: b.subscribed === true, createdBy: who.actor }, deps.now());
      await appendAudit(tx, { actor: who.actor, action: 'pact-partner.create', target: `pact-partner/${p.id}`, after: p, requestId: who.requestId }, deps.now());
      return p;
    });
    await deps.secrets.putSecret(tenantId, partnerSecretName(partner.id), clientSecret);
    res.status(201).json(partner);
  }));

  router.get('/pact/partners', requireRole('admin'), wrap(async (_req, res) => {
    res.json(await db.withTenant(callerOf(res).tenantId, (tx) => partners.list(tx)));
  }));

  router.delete('/pact/partners/:id', requireRole('admin'), wrap(async (req, res) => {
    const { tenantId } = callerOf(res);
    const who = actorOf(res);
    const id = String(req.params.id);
    const revoked = await db.withTenant(tenantId, async (tx) => {
      const p = await partners.revoke(tx, id, deps.now());
      if (p !== undefined) await appendAudit(tx, { actor: who.actor, action: 'pact-partner.revoke', target: `pact-partner/${id}`, before: p, requestId: who.requestId }, deps.now());
      return p;
    });
    if (revoked === undefined) return sendFailure(res, { ok: false, reason: 'not-found', message: `partner ${id} not found` });
    await deps.secrets.deleteSecret(tenantId, partnerSecretName(id));
    res.status(204).end();
  }));

  router.get('/pact/outbox', wrap(async (req, res) => {
    const status = req.query.status;
    if (status !== undefined && !OUTBOX_STATUSES.includes(status as OutboxStatus)) return badRequest(res, `status must be one of ${OUTBOX_STATUSES.join(', ')}`, 'status', status);
    res.json(await db.withTenant(callerOf(res).tenantId, (tx) => outbox.list(tx, status as OutboxStatus | undefined)));
  }));
}
