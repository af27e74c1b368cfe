// The inline session policy that narrows an assumed tenant role to reading that tenant's own secret.
import type { AwsTenantSettings } from './tenant-settings';

/** Session policy JSON: GetSecretValue on the tenant's secret only, and KMS decrypt only via Secrets Manager in its region. */
export function sessionPolicy(s: AwsTenantSettings): string {
  const role = /^arn:(aws[-a-z]*):iam::(\d{12}):/.exec(s.roleArn);
  const partition = role?.[1] ?? 'aws';
  const account = role?.[2] ?? '*';
  const secretArn = s.secretId.startsWith('arn:')
    ? s.secretId
    : `arn:${partition}:secretsmanager:${s.region}:${account}:secret:${s.secretId}-??????`;
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: secretArn },
      { Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${s.region}.amazonaws.com` } } },
    ],
  });
}
