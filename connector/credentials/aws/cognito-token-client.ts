// Obtains a Cognito machine-to-machine access token: OAuth2 client-credentials grant or the GetClientToken API.
import { GetClientTokenCommand, type CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { mintFailure, type MintFailure } from '../token-minter';
import { classifyAwsError } from './aws-errors';
import { cognitoTokenEndpoint, type AwsTenantSettings } from './tenant-settings';

export interface CognitoClientSecret {
  readonly clientId: string;
  readonly clientSecret: string;
}

export interface CognitoAccessToken {
  readonly accessToken: string;
  readonly expiresInSeconds: number;
}

export type CognitoTokenOutcome = { ok: true; value: CognitoAccessToken } | MintFailure;

/** True for the outcome that means "the client secret we hold is no longer accepted" (rotated secret). */
export function isStaleSecret(outcome: CognitoTokenOutcome): boolean {
  return !outcome.ok && outcome.code === 'cognito-refused' && /invalid_client|NotAuthorizedException/.test(outcome.message);
}

/** One client-credentials request to the tenant's user pool domain `/oauth2/token`. */
export async function tokenFromEndpoint(settings: AwsTenantSettings, secret: CognitoClientSecret, fetchFn: typeof fetch, timeoutMs: number): Promise<CognitoTokenOutcome> {
  const url = cognitoTokenEndpoint(settings);
  if (url === undefined) return mintFailure('tenant-not-configured', 'cognito: token-endpoint mode needs a user pool domain');
  let response: Response;
  try {
    response = await fetchFn(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        authorization: `Basic ${Buffer.from(`${secret.clientId}:${secret.clientSecret}`, 'utf8').toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: settings.cognito.scope }).toString(),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch {
    return mintFailure('aws-unavailable', 'cognito: token endpoint unreachable', true);
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  const record = body !== null && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  if (response.status === 429) return mintFailure('throttled', 'cognito: token endpoint throttled', true);
  if (response.status >= 500) return mintFailure('aws-unavailable', `cognito: token endpoint status ${response.status}`, true);
  if (response.status !== 200) {
    const code = typeof record.error === 'string' && /^[a-z_]{1,40}$/.test(record.error) ? record.error : `status ${response.status}`;
    return mintFailure('cognito-refused', `cognito: token endpoint refused (${code})`);
  }
  const accessToken = record.access_token;
  const expiresIn = record.expires_in;
  if (typeof accessToken !== 'string' || accessToken === '' || typeof expiresIn !== 'number' || expiresIn <= 0) {
    return mintFailure('cognito-refused', 'cognito: token endpoint answered without an access token');
  }
  return { ok: true, value: { accessToken, expiresInSeconds: expiresIn } };
}

/** One `GetClientToken` call through the Cognito IdP API of the tenant's region. */
export async function tokenFromApi(settings: AwsTenantSettings, secret: CognitoClientSecret, client: CognitoIdentityProviderClient): Promise<CognitoTokenOutcome> {
  try {
    const out = await client.send(new GetClientTokenCommand({ ClientId: secret.clientId, Secret: secret.clientSecret, Scopes: [settings.cognito.scope] }));
    const result = out.ClientAuthenticationResult;
    if (result?.AccessToken === undefined || result.ExpiresIn === undefined || result.ExpiresIn <= 0) {
      return mintFailure('cognito-refused', 'cognito: GetClientToken answered without an access token');
    }
    return { ok: true, value: { accessToken: result.AccessToken, expiresInSeconds: result.ExpiresIn } };
  } catch (error) {
    return classifyAwsError('cognito', error);
  }
}

/** Parses the secret's JSON (`clientId`/`clientSecret`, or `client_id`/`client_secret`). */
export function parseClientSecret(secretString: string | undefined): CognitoClientSecret | undefined {
  if (secretString === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(secretString);
    if (parsed === null || typeof parsed !== 'object') return undefined;
    const r = parsed as Record<string, unknown>;
    const clientId = r.clientId ?? r.client_id;
    const clientSecret = r.clientSecret ?? r.client_secret;
    return typeof clientId === 'string' && clientId !== '' && typeof clientSecret === 'string' && clientSecret !== '' ? { clientId, clientSecret } : undefined;
  } catch {
    return undefined;
  }
}
