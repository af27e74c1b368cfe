// Operator-API client functions for the CLI: issue/revoke dev-anchor credentials, list a wallet, edit the BPN directory.

export interface OperatorCallResult {
  /** HTTP status of the operator API's answer. */
  readonly status: number;
  /** The parsed JSON body (EDC-style error array on failures), or undefined for 204. */
  readonly body: unknown;
}

async function call(serverUrl: string, operatorKey: string, method: string, path: string, json?: unknown): Promise<OperatorCallResult> {
  const res = await fetch(`${serverUrl.replace(/\/+$/, '')}/operator/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${operatorKey}`, accept: 'application/json', ...(json === undefined ? {} : { 'content-type': 'application/json' }) },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  const text = await res.text();
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, body };
}

/** `POST /operator/v1/credentials/issue`: the dev trust anchor issues `types` (default: the standard set) to the tenant. */
export function issueCredentials(serverUrl: string, operatorKey: string, tenantId: string, types?: readonly string[]): Promise<OperatorCallResult> {
  return call(serverUrl, operatorKey, 'POST', '/credentials/issue', types === undefined ? { tenantId } : { tenantId, types });
}

/** `POST /operator/v1/credentials/revoke`: sets the revocation bit; by default also removes the credential from the wallet. */
export function revokeCredential(serverUrl: string, operatorKey: string, tenantId: string, credentialId: string, removeFromWallet = true): Promise<OperatorCallResult> {
  return call(serverUrl, operatorKey, 'POST', '/credentials/revoke', { tenantId, credentialId, removeFromWallet });
}

/** `GET /operator/v1/tenants/{tenantId}/credentials`: the tenant's held credentials (metadata only). */
export function listCredentials(serverUrl: string, operatorKey: string, tenantId: string): Promise<OperatorCallResult> {
  return call(serverUrl, operatorKey, 'GET', `/tenants/${encodeURIComponent(tenantId)}/credentials`);
}

/** `PUT /operator/v1/directory/{bpn}`: maps a partner's BPNL to its DID. */
export function putDirectoryEntry(serverUrl: string, operatorKey: string, bpn: string, did: string): Promise<OperatorCallResult> {
  return call(serverUrl, operatorKey, 'PUT', `/directory/${encodeURIComponent(bpn)}`, { did });
}

/** `DELETE /operator/v1/directory/{bpn}`. */
export function deleteDirectoryEntry(serverUrl: string, operatorKey: string, bpn: string): Promise<OperatorCallResult> {
  return call(serverUrl, operatorKey, 'DELETE', `/directory/${encodeURIComponent(bpn)}`);
}
