// AWS onboarding/offboarding of a tenant: role check, Cognito resource server + app client, the client secret in Secrets Manager.
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import {
  CreateResourceServerCommand, CreateUserPoolClientCommand, DeleteResourceServerCommand, DeleteUserPoolClientCommand, DescribeResourceServerCommand, type ExplicitAuthFlowsType,
} from '@aws-sdk/client-cognito-identity-provider';
import { CreateSecretCommand, DeleteSecretCommand } from '@aws-sdk/client-secrets-manager';
import { fail, ok, type Result } from '../../common/result';
import type { Logger } from '../../observability/logger';
import type { AwsCallCounter, AwsClientFactory } from './aws-clients';
import { awsErrorName, classifyAwsError } from './aws-errors';
import { validateAwsTenantSettings, type AwsTenantSettings, type CognitoTokenMode } from './tenant-settings';

export interface AwsProvisioningDeps {
  readonly clients: AwsClientFactory;
  readonly logger: Logger;
  readonly counter?: AwsCallCounter;
  /** Resource server identifier = `${resourceServerPrefix}${tenantId}` (default `pcf-exchange/`). */
  readonly resourceServerPrefix?: string;
  /** Scope name on the resource server (default `footprints.read`). */
  readonly scopeName?: string;
  /** Secret name = `${secretPrefix}${tenantId}/cognito-client` (default `pcf/tenants/`). */
  readonly secretPrefix?: string;
  /** App client access-token lifetime in minutes (default 60). */
  readonly accessTokenMinutes?: number;
}

export interface OnboardAwsTenantInput {
  readonly tenantId: string;
  readonly region: string;
  readonly roleArn: string;
  readonly externalId?: string;
  readonly userPoolId: string;
  readonly domain?: string;
  readonly tokenMode: CognitoTokenMode;
}

export interface AwsTenantProvisioning {
  /**
   * Checks the role with a test AssumeRole, ensures the tenant's resource server and scope, creates its app client and
   * stores the client secret under the tenant's own path. Rolls back the app client if the secret cannot be stored.
   * Returns the settings to keep in the tenant record.
   */
  onboard(input: OnboardAwsTenantInput): Promise<Result<AwsTenantSettings>>;
  /** Deletes the app client, the secret (without recovery window) and the tenant's resource server; missing parts are fine. */
  offboard(tenantId: string, settings: AwsTenantSettings): Promise<Result<void>>;
}

const NOT_FOUND = new Set(['ResourceNotFoundException']);

function isNotFound(error: unknown): boolean {
  return error !== null && typeof error === 'object' && NOT_FOUND.has(String((error as { name?: unknown }).name));
}

export function createAwsTenantProvisioning(deps: AwsProvisioningDeps): AwsTenantProvisioning {
  const log = deps.logger.child({ component: 'credentials.aws-provisioning' });
  const rsPrefix = deps.resourceServerPrefix ?? 'pcf-exchange/';
  const scopeName = deps.scopeName ?? 'footprints.read';
  const secretPrefix = deps.secretPrefix ?? 'pcf/tenants/';
  const count = (tenantId: string, service: 'sts' | 'secretsmanager' | 'cognito-idp', operation: string, region: string): void =>
    deps.counter?.record({ tenantId, service, operation, region });

  return {
    async onboard(input) {
      const { tenantId, region } = input;
      const resourceServer = `${rsPrefix}${tenantId}`;
      const scope = `${resourceServer}/${scopeName}`;
      const secretName = `${secretPrefix}${tenantId}/cognito-client`;
      const draft = validateAwsTenantSettings(tenantId, {
        region, roleArn: input.roleArn, secretId: secretName, ...(input.externalId === undefined ? {} : { externalId: input.externalId }),
        cognito: { userPoolId: input.userPoolId, clientId: 'pending', scope, tokenMode: input.tokenMode, ...(input.domain === undefined ? {} : { domain: input.domain }) },
      }, { secretPrefix });
      if (!draft.ok) return draft;

      try {
        count(tenantId, 'sts', 'AssumeRole', region);
        await deps.clients.sts(region).send(new AssumeRoleCommand({
          RoleArn: input.roleArn, RoleSessionName: `pcf-onboard-${tenantId}`.slice(0, 64), DurationSeconds: 900,
          ...(input.externalId === undefined ? {} : { ExternalId: input.externalId }),
        }));
      } catch (error) {
        const f = classifyAwsError('sts', error);
        log.warn('tenant role check failed', { tenantId, outcome: f.code, detail: f.message });
        return fail('bad-request', `roleArn: the connector cannot assume this role (${f.message})`);
      }

      const cognito = deps.clients.cognito(region);
      let clientId: string;
      let clientSecret: string;
      let operation = 'DescribeResourceServer';
      try {
        count(tenantId, 'cognito-idp', 'DescribeResourceServer', region);
        try {
          await cognito.send(new DescribeResourceServerCommand({ UserPoolId: input.userPoolId, Identifier: resourceServer }));
        } catch (error) {
          if (!isNotFound(error)) throw error;
          operation = 'CreateResourceServer';
          count(tenantId, 'cognito-idp', 'CreateResourceServer', region);
          await cognito.send(new CreateResourceServerCommand({
            UserPoolId: input.userPoolId, Identifier: resourceServer, Name: `PCF exchange of ${tenantId}`,
            Scopes: [{ ScopeName: scopeName, ScopeDescription: `Read PCFs of tenant ${tenantId}` }],
          }));
        }
        operation = 'CreateUserPoolClient';
        count(tenantId, 'cognito-idp', 'CreateUserPoolClient', region);
        const created = await cognito.send(new CreateUserPoolClientCommand({
          UserPoolId: input.userPoolId,
          ClientName: `pcf-${tenantId}`,
          GenerateSecret: true,
          AccessTokenValidity: deps.accessTokenMinutes ?? 60,
          TokenValidityUnits: { AccessToken: 'minutes' },
          AllowedOAuthFlows: ['client_credentials'],
          AllowedOAuthScopes: [scope],
          AllowedOAuthFlowsUserPoolClient: true,
          // The SDK's enum predates ALLOW_CLIENT_TOKEN_AUTH; the wire takes the string.
          ...(input.tokenMode === 'get-client-token' ? { ExplicitAuthFlows: ['ALLOW_CLIENT_TOKEN_AUTH' as ExplicitAuthFlowsType] } : {}),
        }));
        const c = created.UserPoolClient;
        if (c?.ClientId === undefined || c.ClientSecret === undefined) return fail('conflict', 'cognito: app client created without a secret');
        clientId = c.ClientId;
        clientSecret = c.ClientSecret;
      } catch (error) {
        const f = classifyAwsError('cognito', error);
        log.warn('cognito provisioning failed', { tenantId, operation, outcome: f.code, detail: f.message });
        return fail('conflict', `cognito: ${operation} failed (${awsErrorName(error)})`);
      }

      try {
        count(tenantId, 'secretsmanager', 'CreateSecret', region);
        await deps.clients.ownSecretsManager(region).send(new CreateSecretCommand({
          Name: secretName,
          SecretString: JSON.stringify({ clientId, clientSecret }),
          Description: `Cognito app client of PCF tenant ${tenantId}`,
          Tags: [{ Key: 'tenant', Value: tenantId }, { Key: 'pcf-connector', Value: 'cognito-client' }],
        }));
      } catch (error) {
        const f = classifyAwsError('secrets', error);
        log.warn('storing the client secret failed; deleting the new app client', { tenantId, outcome: f.code, detail: f.message });
        let rollback = 'the new app client was deleted';
        try {
          count(tenantId, 'cognito-idp', 'DeleteUserPoolClient', region);
          await cognito.send(new DeleteUserPoolClientCommand({ UserPoolId: input.userPoolId, ClientId: clientId }));
        } catch (rollbackError) {
          rollback = `deleting the new app client ${clientId} failed too (${awsErrorName(rollbackError)})`;
          log.error('rollback of the app client failed', { tenantId, clientId, outcome: classifyAwsError('cognito', rollbackError).message });
        }
        return fail('conflict', `secretsmanager: CreateSecret failed (${awsErrorName(error)}); ${rollback}`);
      }
      log.info('aws tenant provisioned', { tenantId, region, clientId });
      return validateAwsTenantSettings(tenantId, { ...draft.value, cognito: { ...draft.value.cognito, clientId } }, { secretPrefix });
    },

    async offboard(tenantId, settings) {
      const { region } = settings;
      const cognito = deps.clients.cognito(region);
      const problems: string[] = [];
      const attempt = async (operation: string, service: 'cognito-idp' | 'secretsmanager', run: () => Promise<unknown>): Promise<void> => {
        count(tenantId, service, operation, region);
        try {
          await run();
        } catch (error) {
          if (isNotFound(error)) return;
          problems.push(`${operation} failed (${awsErrorName(error)})`);
        }
      };
      await attempt('DeleteUserPoolClient', 'cognito-idp', () => cognito.send(new DeleteUserPoolClientCommand({ UserPoolId: settings.cognito.userPoolId, ClientId: settings.cognito.clientId })));
      await attempt('DeleteSecret', 'secretsmanager', () => deps.clients.ownSecretsManager(region).send(new DeleteSecretCommand({ SecretId: settings.secretId, ForceDeleteWithoutRecovery: true })));
      const resourceServer = settings.cognito.scope.slice(0, settings.cognito.scope.lastIndexOf('/'));
      if (resourceServer === `${rsPrefix}${tenantId}`) {
        await attempt('DeleteResourceServer', 'cognito-idp', () => cognito.send(new DeleteResourceServerCommand({ UserPoolId: settings.cognito.userPoolId, Identifier: resourceServer })));
      }
      if (problems.length > 0) {
        log.warn('aws offboarding incomplete', { tenantId, problems });
        return fail('conflict', `aws offboarding incomplete: ${problems.join('; ')}`);
      }
      log.info('aws tenant deprovisioned', { tenantId, region });
      return ok(undefined);
    },
  };
}
