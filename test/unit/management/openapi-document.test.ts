// The management OpenAPI document: every route of the management API is described and every schema reference resolves.
import { buildManagementOpenApi, catalogDataOpenApi } from '../../../connector/management/openapi/management-openapi';
import { controlPlaneOpenApi, publishingOpenApi } from '../../../connector/management/openapi/process-openapi';

const doc = buildManagementOpenApi([catalogDataOpenApi(), controlPlaneOpenApi(), publishingOpenApi()]) as {
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, unknown> };
};

/** The routes the management routers register (method and path under /management/v3). */
const ROUTES = `
post /assets|put /assets|post /assets/request|get /assets/{id}|delete /assets/{id}
post /policydefinitions|post /policydefinitions/request|get /policydefinitions/{id}|put /policydefinitions/{id}|delete /policydefinitions/{id}
post /policydefinitions/{id}/validate|post /policydefinitions/{id}/evaluationplan|post /policydefinitions/{id}/explain
post /contractdefinitions|put /contractdefinitions|post /contractdefinitions/request|get /contractdefinitions/{id}|delete /contractdefinitions/{id}
post /catalog/request|post /catalog/dataset/request
post /contractnegotiations|post /contractnegotiations/offers|post /contractnegotiations/request|get /contractnegotiations/{id}
get /contractnegotiations/{id}/state|get /contractnegotiations/{id}/agreement|get /contractnegotiations/{id}/offer
post /contractnegotiations/{id}/counteroffer|post /contractnegotiations/{id}/approve|post /contractnegotiations/{id}/accept
post /contractnegotiations/{id}/counterrequest|post /contractnegotiations/{id}/terminate
post /contractagreements/request|get /contractagreements/{id}|get /contractagreements/{id}/negotiation
post /transferprocesses|post /transferprocesses/request|get /transferprocesses/{id}|get /transferprocesses/{id}/state
post /transferprocesses/{id}/terminate|post /transferprocesses/{id}/suspend|post /transferprocesses/{id}/resume|post /transferprocesses/{id}/complete
post /edrs/request|get /edrs/{id}/dataaddress|post /edrs/{id}/refresh|delete /edrs/{id}
post /secrets|put /secrets|get /secrets/{id}|delete /secrets/{id}
post /footprints|get /footprints|get /footprints/{id}|put /footprints/{id}|delete /footprints/{id}
get /footprint-requests|get /footprint-requests/{id}|post /footprint-requests/{id}/fulfil|post /footprint-requests/{id}/reject
get /pact/settings|put /pact/settings|post /pact/clients|get /pact/clients|delete /pact/clients/{id}
post /pact/partners|get /pact/partners|delete /pact/partners/{id}|get /pact/outbox|get /events
get /tenant|get /apikeys|post /apikeys|delete /apikeys/{id}|get /users|put /users/{subject}|delete /users/{subject}
post /tokens|get /audit|post /audit/verify
`.split(/[|\n]/).map((s) => s.trim()).filter((s) => s !== '');

function refs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refs(v, out);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

describe('management OpenAPI document', () => {
  it.each(ROUTES)('describes %s', (route) => {
    const [method, path] = route.split(' ');
    expect(doc.paths[path]?.[method]).toBeDefined();
  });

  it('resolves every schema reference', () => {
    const missing = refs(doc).map((r) => r.replace('#/components/schemas/', '')).filter((name) => doc.components.schemas[name] === undefined);
    expect(missing).toEqual([]);
  });

  it('tags every operation with a declared tag', () => {
    const declared = new Set(((doc as unknown as { tags: { name: string }[] }).tags).map((t) => t.name));
    for (const ops of Object.values(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        if (method === 'parameters') continue;
        for (const tag of (op as { tags: string[] }).tags) expect(declared.has(tag)).toBe(true);
      }
    }
  });
});
