// EDC-style offer/agreement ids: base64(definitionId):base64(assetId):base64(uuid), encoded and decoded.
import { randomUUID } from 'node:crypto';
import { fail, ok, type Result } from '../common/result';

export interface ContractIdParts {
  readonly definitionId: string;
  readonly assetId: string;
  readonly uuid: string;
}

function b64(value: string): string {
  return Buffer.from(value, 'utf8').toString('base64');
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function unb64(value: string): string | undefined {
  if (!BASE64.test(value) || value.length % 4 !== 0) return undefined;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  // Reject input that does not survive a round trip (not canonical base64 or not UTF-8).
  return b64(decoded) === value ? decoded : undefined;
}

/** Builds an EDC-style contract id; `uuid` defaults to a fresh random UUID. */
export function encodeContractId(definitionId: string, assetId: string, uuid: string = randomUUID()): string {
  return `${b64(definitionId)}:${b64(assetId)}:${b64(uuid)}`;
}

/** Parses an EDC-style contract id; ids of any other form are a bad-request failure (treat them as opaque instead). */
export function decodeContractId(id: string): Result<ContractIdParts> {
  const parts = id.split(':');
  if (parts.length !== 3) return fail('bad-request', `contract id ${JSON.stringify(id)} is not of the form base64:base64:base64`);
  const [definitionId, assetId, uuid] = parts.map(unb64);
  if (definitionId === undefined || assetId === undefined || uuid === undefined || definitionId === '' || assetId === '' || uuid === '') {
    return fail('bad-request', `contract id ${JSON.stringify(id)} has a part that is not base64`);
  }
  return ok({ definitionId, assetId, uuid });
}
