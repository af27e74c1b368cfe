// SQL persistence of the dev trust anchor: its signing key sealed with the master key, status-index allocation and set bits.
import { createPrivateKey, randomUUID, type JsonWebKey } from 'node:crypto';
import type { JWK } from 'jose';
import { open, seal } from '../../credentials/local/envelope-crypto';
import type { Database } from '../../store/database';
import { generateDevIssuerKey, type DevIssuerKey, type DevTrustAnchorStatusStore } from '../dev-trust-anchor';

/** Deployment-wide state of the dev trust anchor, shared by every replica through the database. */
export interface TrustAnchorState {
  /** The active signing key; created (and sealed) on first use, under a lock so replicas agree on one key. */
  loadOrCreateKey(): Promise<DevIssuerKey>;
  /** Index allocation and revoked bits, for `createDevTrustAnchor({ statusStore })`. */
  readonly statusStore: DevTrustAnchorStatusStore;
  /** Sets the revocation bits of `indexes` (idempotent). */
  setRevoked(indexes: readonly number[]): Promise<void>;
}

const LOCK_KEY = 815_247_310;
const PURPOSE = 'revocation';

interface KeyRow {
  kid: string;
  alg: string;
  public_jwk: JWK;
  sealed_private: string;
}

const sealContext = (kid: string) => `trust-anchor|signing-key|${kid}`;

function toDevKey(row: KeyRow, masterKey: Buffer): DevIssuerKey {
  if (row.alg !== 'ES256K' && row.alg !== 'ES256') throw new Error(`trust anchor: unsupported key algorithm ${row.alg}`);
  const jwk = JSON.parse(open(masterKey, row.sealed_private, sealContext(row.kid)).toString('utf8')) as JsonWebKey;
  return { alg: row.alg, kid: row.kid, privateKey: createPrivateKey({ key: jwk, format: 'jwk' }), publicJwk: row.public_jwk };
}

export function createSqlTrustAnchorState(deps: { db: Pick<Database, 'withSystem'>; masterKey: Buffer; alg?: 'ES256K' | 'ES256' }): TrustAnchorState {
  if (deps.masterKey.length !== 32) throw new Error('trust anchor: the master key must be 32 bytes');
  return {
    async loadOrCreateKey() {
      return deps.db.withSystem(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
        const rows = await tx.query<KeyRow>('SELECT kid, alg, public_jwk, sealed_private FROM trust_anchor_keys WHERE retired_at IS NULL ORDER BY created_at DESC, kid LIMIT 1');
        if (rows[0] !== undefined) return toDevKey(rows[0], deps.masterKey);
        const key = generateDevIssuerKey(deps.alg ?? 'ES256K', `key-${randomUUID()}`);
        const privateJwk = key.privateKey.export({ format: 'jwk' });
        await tx.query('INSERT INTO trust_anchor_keys (kid, alg, public_jwk, sealed_private) VALUES ($1, $2, $3, $4)', [
          key.kid,
          key.alg,
          JSON.stringify(key.publicJwk),
          seal(deps.masterKey, JSON.stringify(privateJwk), sealContext(key.kid)),
        ]);
        return key;
      });
    },
    statusStore: {
      async allocate() {
        const rows = await deps.db.withSystem((tx) =>
          tx.query<{ index: number }>(
            'UPDATE trust_anchor_status_lists SET next_index = next_index + 1 WHERE purpose = $1 AND next_index < size RETURNING next_index - 1 AS index',
            [PURPOSE],
          ),
        );
        if (rows[0] === undefined) throw new Error('trust anchor: the status list is full');
        return Number(rows[0].index);
      },
      async revokedIndexes() {
        const rows = await deps.db.withSystem((tx) => tx.query<{ list_index: number }>('SELECT list_index FROM trust_anchor_status_bits WHERE purpose = $1', [PURPOSE]));
        return rows.map((r) => Number(r.list_index));
      },
    },
    async setRevoked(indexes) {
      if (indexes.length === 0) return;
      await deps.db.withSystem((tx) =>
        tx.query('INSERT INTO trust_anchor_status_bits (purpose, list_index) SELECT $1, unnest($2::int[]) ON CONFLICT DO NOTHING', [PURPOSE, [...indexes]]),
      );
    },
  };
}
