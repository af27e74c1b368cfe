// Management API v3 secrets (EDC shape): a tenant's named secrets, sealed in its secret box; webhook `authCodeId`s name them.
import { Router, type Request, type Response } from 'express';
import type { SecretBox } from '../credentials/local/local-key-store';
import { fail, ok, type Result } from '../common/result';
import { callerOf, requireRole } from '../tenancy/caller';
import { createManagementBodyReader, edcProperty, idResponse, withContext } from './jsonld-body';
import { sendFailure } from './management-errors';

/** Secret ids as EDC clients use them (no '/': they live under `user/` in the secret box, apart from our own). */
const SECRET_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
/** Largest secret value accepted (bytes of UTF-8). */
const MAX_SECRET_BYTES = 16 * 1024;

/** The secret box name of a management secret id. */
export function managementSecretName(id: string): string {
  return `user/${id}`;
}

/** True when `id` can name a management secret. */
export function isSecretId(id: string): boolean {
  return SECRET_ID.test(id);
}

function checkedId(id: unknown): Result<string> {
  if (typeof id !== 'string' || !SECRET_ID.test(id)) {
    return fail('bad-request', '@id must be 1–128 characters of letters, digits and . _ : -', [{ path: '@id', message: 'invalid secret id', invalidValue: id }]);
  }
  return ok(id);
}

/** Mount at `/management/v3/secrets`. Admins only: the values are returned in clear, as EDC does. */
export function createSecretRoutes(deps: { readonly secrets: SecretBox }): Router {
  const r = Router();
  const reader = createManagementBodyReader();
  const tenant = (res: Response) => callerOf(res).tenantId;
  r.use(requireRole('admin'));

  /** `@id` and `value` of a Secret body. */
  async function secretOf(body: unknown): Promise<Result<{ id: string; value: string }>> {
    const node = await reader.read(body);
    if (!node.ok) return node;
    const id = checkedId(node.value['@id']);
    if (!id.ok) return id;
    const value = edcProperty(node.value, 'value');
    if (typeof value !== 'string' || value === '' || Buffer.byteLength(value) > MAX_SECRET_BYTES) {
      return fail('bad-request', `value must be a non-empty string of at most ${MAX_SECRET_BYTES} bytes`, [{ path: 'value', message: 'invalid secret value' }]);
    }
    return ok({ id: id.value, value });
  }

  r.post('/', async (req: Request, res: Response) => {
    const s = await secretOf(req.body);
    if (!s.ok) return sendFailure(res, s);
    if (!(await deps.secrets.putSecretIf(tenant(res), managementSecretName(s.value.id), s.value.value, 'create'))) {
      return sendFailure(res, fail('conflict', `secret ${s.value.id} already exists`));
    }
    res.json(idResponse(s.value.id, Date.now()));
  });
  r.put('/', async (req: Request, res: Response) => {
    const s = await secretOf(req.body);
    if (!s.ok) return sendFailure(res, s);
    if (!(await deps.secrets.putSecretIf(tenant(res), managementSecretName(s.value.id), s.value.value, 'replace'))) {
      return sendFailure(res, fail('not-found', `secret ${s.value.id} not found`));
    }
    res.status(204).end();
  });
  r.get('/:id', async (req: Request, res: Response) => {
    const id = checkedId(req.params.id);
    const value = id.ok ? await deps.secrets.getSecret(tenant(res), managementSecretName(id.value)) : undefined;
    if (value === undefined) return sendFailure(res, fail('not-found', `secret ${String(req.params.id)} not found`));
    res.json(withContext({ '@type': 'Secret', '@id': String(req.params.id), value }));
  });
  r.delete('/:id', async (req: Request, res: Response) => {
    const id = checkedId(req.params.id);
    const deleted = id.ok && (await deps.secrets.deleteSecret(tenant(res), managementSecretName(id.value)));
    if (!deleted) return sendFailure(res, fail('not-found', `secret ${String(req.params.id)} not found`));
    res.status(204).end();
  });
  return r;
}
