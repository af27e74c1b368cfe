// The PACT data plane on the fast lane: GET {2,3}/footprints[/{id}] and POST auth/token of every tenant's host.
import type { IncomingMessage } from 'node:http';
import { decodePathSegment } from '../../connector/common/path-segment';
import type { FastReply, FastRoute } from '../../connector/http/fast-lane';
import type { PactApiVersion } from './pact-errors';
import { pactError } from './pact-errors';
import { errorReply, jsonReply } from './pact-replies';
import { TOKEN_BODY_LIMIT, TOKEN_PARAMETER_LIMIT, type PactHostServices } from './pact-router';

const FOOTPRINTS = /^\/tenants\/([^/]+)\/pact\/([23])\/footprints(?:\/([^/]+))?$/;
const TOKEN = /^\/tenants\/([^/]+)\/pact\/auth\/token$/;
const FORM_TYPE = /^application\/x-www-form-urlencoded\s*(?:;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

/** PACT's error shape for transport failures (timeout 503, unexpected 500): `InternalError`. */
function failure(status: number, message: string): FastReply {
  return jsonReply(status, { code: 'InternalError', message });
}

/** True when the body arrives unencoded (an encoded one goes to Express, which inflates it). */
function plainBody(req: IncomingMessage): boolean {
  const encoding = req.headers['content-encoding'];
  return encoding === undefined || encoding.toLowerCase() === 'identity';
}

/** Form fields of a urlencoded body, or undefined when there are more than the limit allows. */
function parseForm(body: Buffer): Record<string, string | string[]> | undefined {
  const params = new URLSearchParams(body.toString('utf8'));
  const form: Record<string, string | string[]> = {};
  let n = 0;
  for (const [k, v] of params) {
    if (++n > TOKEN_PARAMETER_LIMIT) return undefined;
    const prev = form[k];
    form[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return form;
}

/** The fast routes of the PACT host (everything else of it, e.g. events and discovery, stays on Express). */
export function createPactFastRoutes(host: PactHostServices): FastRoute[] {
  const footprints = (version: PactApiVersion, byId: boolean): FastRoute => ({
    label: `/tenants/:tenantId/pact/${version}/footprints${byId ? '/:id' : ''}`,
    failure,
    match(method, pathname) {
      if (method !== 'GET') return undefined;
      const m = FOOTPRINTS.exec(pathname);
      if (m === null || m[2] !== version || (m[3] !== undefined) !== byId) return undefined;
      const tenantId = decodePathSegment(m[1]);
      const id = m[3] === undefined ? undefined : decodePathSegment(m[3]);
      if (tenantId === undefined || (byId && id === undefined)) return undefined;
      return async (ctx) => {
        if (host.core.authenticateCached(tenantId, ctx.req.headers.authorization) === undefined) {
          const path = `/${version}/footprints${id === undefined ? '' : `/${m[3]}`}`;
          const auth = await host.core.authenticate(version, tenantId, ctx.req.headers.authorization, { path, method, requestId: ctx.requestId });
          if (!auth.ok) return auth.reply;
        }
        return id === undefined ? host.core.listFootprints(version, tenantId, ctx.query) : host.core.getFootprint(version, tenantId, id);
      };
    },
  });

  const token: FastRoute = {
    label: '/tenants/:tenantId/pact/auth/token',
    failure,
    match(method, pathname, req) {
      if (method !== 'POST' || !plainBody(req) || !FORM_TYPE.test(req.headers['content-type'] ?? '')) return undefined;
      const m = TOKEN.exec(pathname);
      const tenantId = m === null ? undefined : decodePathSegment(m[1]);
      if (tenantId === undefined) return undefined;
      return async (ctx) => {
        const body = await ctx.readBody(TOKEN_BODY_LIMIT);
        if (body === undefined) return errorReply(pactError('3', 'BadRequest', 'request body too large'));
        const form = parseForm(body);
        if (form === undefined) return errorReply(pactError('3', 'BadRequest', 'too many parameters'));
        return host.token({ tenantId, isForm: true, form, authorization: ctx.req.headers.authorization });
      };
    },
  };

  return [footprints('3', true), footprints('3', false), footprints('2', true), footprints('2', false), token];
}
