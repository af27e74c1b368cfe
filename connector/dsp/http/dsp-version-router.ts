// `/tenants/:tenantId/.well-known/dspace-version`: the unauthenticated DSP version document of a tenant.
import { Router, type Request, type Response } from 'express';
import { buildVersionDocument } from '../version';

export interface DspVersionRouterDeps {
  /** The connector's public base URL. */
  readonly publicUrl: string;
  /** Whether a tenant exists (unknown tenants get 404); default: every id is served. */
  tenantExists?(tenantId: string): Promise<boolean>;
}

/** Mount at `/tenants/:tenantId/.well-known/dspace-version` (the router reads `tenantId` via mergeParams). */
export function createDspVersionRouter(deps: DspVersionRouterDeps): Router {
  const router = Router({ mergeParams: true });
  router.get('/', async (req: Request, res: Response) => {
    const tenantId = String((req.params as Record<string, string>)['tenantId'] ?? '');
    if (tenantId === '' || (deps.tenantExists !== undefined && !(await deps.tenantExists(tenantId)))) {
      res.status(404).json({ error: 'not found' });
      return;
    }
    res.json(buildVersionDocument({
      baseUrl: deps.publicUrl,
      tenantId,
      identifierTypes: { '2025-1': 'did:web', '2024-1': 'did:web' },
      auth: { protocol: 'DCP', version: '1.0', profile: ['vc11-sl2021/jwt'] },
      include2024Context: true,
    }));
  });
  return router;
}
