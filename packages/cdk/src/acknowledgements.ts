import { Stack, Validations } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';

/*
 * The cdk-nag (AwsSolutions) findings the pipeline accepts are acknowledged one by one, each
 * with its reason, on the one construct it concerns (never for a whole stack), right where the
 * grant that causes it is made. These are the helpers those places call.
 */

/** The id CDK gives the stack-wide Lambda behind `bucket.addEventNotification()`. */
export const CDK_NOTIFICATIONS_HANDLER_ID = 'BucketNotificationsHandler050a0587b7544547bf325f094a3db834';

/** `AwsSolutions-IAM5[Resource::<bucket ARN>/*]` on `role`: object-level access to one bucket. */
export function acknowledgeObjectWildcard(role: iam.Role, bucket: s3.IBucket, reason: string): void {
  const resource = flattenReference(Stack.of(role).resolve(bucket.arnForObjects('*')));
  Validations.of(role).acknowledge({ id: `AwsSolutions-IAM5[Resource::${resource}]`, reason });
}

/**
 * With an existing input bucket, CDK attaches the notification through its own stack-wide
 * custom-resource Lambda. Its role is CDK's, not ours: CDK gives it the basic-execution managed
 * policy (its S3 grants, s3:Get/PutBucketNotification, are scoped to the bucket by CDK).
 */
export function acknowledgeNotificationsHandler(scope: IConstruct): void {
  const handler = Stack.of(scope).node.tryFindChild(CDK_NOTIFICATIONS_HANDLER_ID);
  if (handler === undefined) return;
  const acknowledge = (id: string, reason: string): void => Validations.of(handler).acknowledge({ id, reason });
  acknowledge(
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    'CDK\'s bucket-notifications handler (used only with an existing input bucket) writes its logs through this AWS-managed policy; CDK does not let it be replaced.',
  );
}

/**
 * A resolved CloudFormation value as cdk-nag prints it in a finding id:
 * `{ "Fn::GetAtt": [id, "Arn"] }` → `<id.Arn>`, `{ Ref: id }` → `<id>`, `Fn::Join` joined.
 */
export function flattenReference(value: unknown): string {
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (value !== null && typeof value === 'object') {
    const node = value as Record<string, unknown>;
    if (Array.isArray(node['Fn::Join'])) {
      const [delimiter, parts] = node['Fn::Join'] as [string, unknown[]];
      return parts.map(flattenReference).join(delimiter);
    }
    if (Array.isArray(node['Fn::GetAtt'])) {
      const [logicalId, attribute] = node['Fn::GetAtt'] as [unknown, unknown];
      return `<${flattenReference(logicalId)}.${flattenReference(attribute)}>`;
    }
    if (node.Ref !== undefined) return `<${flattenReference(node.Ref)}>`;
  }
  return JSON.stringify(value);
}

