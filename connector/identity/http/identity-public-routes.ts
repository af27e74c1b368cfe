// Unauthenticated identity endpoints: tenants' DID documents, their DCP Credential Services, the dev trust anchor's document and status list.
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { TenantKeyProvider } from '../../credentials/key-provider';
import type { Logger } from '../../observability/logger';
import type { CredentialService } from '../credential-service';
import type { DevTrustAnchor } from '../dev-trust-anchor';
import type { DidDocumentService } from '../did-document';
import type { IdentityFailure } from '../failures';

export interface IdentityPublicRoutesDeps {
  /** True when the tenant exists and is active (an offboarding tenant is unknown). */
  readonly tenantExists: (tenantId: string) => Promise<boolean>;
  readonly dids: DidDocumentService;
  readonly keys: TenantKeyProvider;
  readonly credentialService: CredentialService;
  /** The dev trust anchor and the URL path its DID resolves to (e.g. `/trust-anchor`); absent when disabled. */
  readonly trustAnchor?: { readonly path: string; readonly anchor: () => Promise<DevTrustAnchor> };
  readonly logger: Logger;
  /** Body limit of the presentation query when the app did not parse the body already. Default 64 KiB. */
  readonly bodyLimit?: string;
}

/** DCP status of a Credential Service failure: 400 malformed query, 501 presentationDefinition, 401 authentication. */
export function credentialServiceStatus(failure: IdentityFailure): number {
  if (failure.code === 'presentation-definition-unsupported') return 501;
  switch (failure.reason) {
    case 'bad-request':
      return 400;
    case 'forbidden':
      return 403;
    case 'not-found':
      return 404;
    default:
      return 401;
  }
}

function unknownTenant(res: Response): void {
  res.status(404).json({ error: 'not found' });
}

function createTenantRouter(deps: IdentityPublicRoutesDeps): Router {
  const router = Router();
  const log = deps.logger.child({ component: 'identity-http' });

  router.get('/:tenantId/did.json', async (req: Request, res: Response) => {
    const tenantId = String(req.params.tenantId);
    if (!(await deps.tenantExists(tenantId))) return unknownTenant(res);
    let doc = await deps.dids.documentOf(tenantId);
    if (doc.verificationMethod.length === 0) {
      // A tenant onboarded before identity ran (or whose keys were lost) gets its key on first use, like any signer.
      await deps.keys.signingKey(tenantId, 'identity');
      doc = await deps.dids.documentOf(tenantId);
    }
    res.setHeader('cache-control', 'public, max-age=60');
    res.type('application/json').send(JSON.stringify(doc));
  });

  router.post(
    '/:tenantId/credentials/presentations/query',
    express.json({ limit: deps.bodyLimit ?? '64kb', type: ['application/json', 'application/*+json'] }),
    async (req: Request, res: Response) => {
      const tenantId = String(req.params.tenantId);
      if (!(await deps.tenantExists(tenantId))) return unknownTenant(res);
      const result = await deps.credentialService.answerQuery(tenantId, req.get('authorization'), req.body);
      res.setHeader('cache-control', 'no-store');
      if (result.ok) {
        res.json(result.value);
        return;
      }
      const status = credentialServiceStatus(result);
      log.info('presentation query refused', { tenantId, code: result.code, status });
      if (status === 401) {
        res.setHeader('WWW-Authenticate', 'Bearer error="invalid_token"');
        res.status(401).json({ error: 'unauthorized' });
        return;
      }
      res.status(status).json({ error: result.reason, code: result.code, message: result.message });
    },
  );

  router.use('/:tenantId/credentials/presentations/query', (err: unknown, _req: Request, res: Response, next: NextFunction) => {
    const type = (err as { type?: string }).type;
    if (type === 'entity.parse.failed') return void res.status(400).json({ error: 'bad-request', code: 'query-invalid', message: 'the body is not valid JSON' });
    if (type === 'entity.too.large') return void res.status(413).json({ error: 'the request body is too large' });
    next(err);
  });
  return router;
}

function createTrustAnchorRouter(anchor: () => Promise<DevTrustAnchor>): Router {
  const router = Router();
  router.get('/did.json', async (_req: Request, res: Response) => {
    res.setHeader('cache-control', 'public, max-age=300');
    res.type('application/json').send(JSON.stringify((await anchor()).didDocument()));
  });
  router.get('/status/revocation', async (_req: Request, res: Response) => {
    res.setHeader('cache-control', 'no-cache');
    res.type('application/vc+jwt').send(await (await anchor()).statusListCredential());
  });
  return router;
}

/** The routers to mount at the application root, unauthenticated. */
export function createIdentityPublicRouters(deps: IdentityPublicRoutesDeps): { path: string; router: Router }[] {
  const routers = [{ path: '/tenants', router: createTenantRouter(deps) }];
  if (deps.trustAnchor !== undefined) routers.push({ path: deps.trustAnchor.path, router: createTrustAnchorRouter(deps.trustAnchor.anchor) });
  return routers;
}
