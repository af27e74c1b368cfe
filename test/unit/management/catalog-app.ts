// Test harness for the catalog data routes: a migrated database, the real service, a tiny app whose middleware sets the caller.
import express, { type Express } from 'express';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createCatalogDataService } from '../../../connector/catalog/catalog-data-service';
import { createSqlAssetStore, createSqlContractDefinitionStore, createSqlPolicyDefinitionStore } from '../../../connector/catalog/index';
import { createCatalogDataRouter } from '../../../connector/management/catalog-routes';
import { isRole, setCaller } from '../../../connector/tenancy/caller';
import { insertTenantRow, openTestDatabase, testEngines, type TestDatabase } from '../../support/databases';

export const EDC = 'https://w3id.org/edc/v0.0.1/ns/';

export interface CatalogApp {
  readonly app: Express;
  readonly db: TestDatabase;
  close(): Promise<void>;
}

/**
 * Tenants `alpha` and `beta`. Each request names its caller with `x-test-tenant` / `x-test-role` (stand-in for the
 * authorizer, which sets the same `Caller`); the routes never read these headers themselves.
 */
export async function openCatalogApp(now: () => Date = () => new Date('2025-06-01T12:00:00Z')): Promise<CatalogApp> {
  const db = await openTestDatabase(testEngines()[0]!);
  await insertTenantRow(db, 'alpha');
  await insertTenantRow(db, 'beta');
  const service = createCatalogDataService({
    db, now, assets: createSqlAssetStore({ now }), policies: createSqlPolicyDefinitionStore({ now }), contractDefinitions: createSqlContractDefinitionStore({ now }),
  });
  const app = express();
  app.use((req, res, next) => {
    const tenantId = req.header('x-test-tenant') ?? 'alpha';
    const role = req.header('x-test-role') ?? 'admin';
    if (!isRole(role)) throw new Error(`bad test role ${role}`);
    setCaller(res, { tenantId, subject: 'tester', role, via: 'api-key', actor: `api-key:${tenantId}-${role}` });
    next();
  });
  app.use('/management/v3', createCatalogDataRouter({ service, now }));
  return { app, db, close: () => db.close() };
}

const SPECS = path.resolve(__dirname, '../../../../shared/specs');

/** The CX-0136 2.2.1 PCF Exchange API asset, taken verbatim from the spec digest (`catenax-pcf.md` §3). */
export function cx0136Asset(): Record<string, unknown> {
  const text = readFileSync(path.join(SPECS, 'catenax-pcf.md'), 'utf8');
  const start = text.indexOf('```json', text.indexOf('## 3. Asset registration'));
  const end = text.indexOf('```', start + 7);
  return JSON.parse(text.slice(start + 7, end)) as Record<string, unknown>;
}
