import { Aws, Names, type RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { acknowledgeNotificationsHandler } from './acknowledgements.js';
import { defaultAccessLogBucketProps, defaultDataBucketProps } from './defaults.js';
import type { PipelineBucketSettings } from './props.js';

/** A bucket the pipeline created, with its name known before deployment. */
export interface CreatedBucket {
  readonly bucket: s3.Bucket;
  /** The bucket's name as given or generated: never a reference to the bucket itself. */
  readonly name: string;
}

/** The bucket that receives the server access logs of the pipeline's new buckets. */
export function createAccessLogBucket(scope: Construct, removalPolicy: RemovalPolicy): s3.Bucket {
  return new s3.Bucket(scope, 'AccessLogBucket', defaultAccessLogBucketProps(removalPolicy));
}

/** A new input or output bucket that writes its access logs to `logBucket` under `logPrefix`. */
export function createDataBucket(
  scope: Construct,
  id: string,
  settings: PipelineBucketSettings | undefined,
  encryptionKey: kms.IKey | undefined,
  removalPolicy: RemovalPolicy,
  logBucket: s3.Bucket,
  logPrefix: string,
): CreatedBucket {
  const name = settings?.bucketName ?? generatedBucketName(scope, id);
  const bucket = new s3.Bucket(scope, id, defaultDataBucketProps(name, settings, encryptionKey, removalPolicy));
  enableServerAccessLogs(bucket, name, logBucket, logPrefix);
  return { bucket, name };
}

/**
 * A deterministic bucket name: a readable, hashed form of the construct path plus the account
 * and the region, so that the same stack deploys in several accounts and regions. The name must
 * be known up front: the upload queue's policy names the bucket, and the bucket's notification
 * names the queue, so a reference to the bucket itself would be a circular dependency.
 */
export function generatedBucketName(scope: Construct, id: string): string {
  // 63 characters at most: 34 here, then `-<12-digit account>-<region of at most 15>`.
  const role = id.toLowerCase().replace(/[^a-z0-9]/g, '').slice(0, 16);
  const unique = Names.uniqueResourceName(scope, { maxLength: 33 - role.length, separator: '-' })
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '');
  return `${unique}-${role}-${Aws.ACCOUNT_ID}-${Aws.REGION}`;
}

/** The ARN of the bucket called `name`, built from the name so that it does not depend on the bucket. */
export function bucketArnFromName(name: string): string {
  return `arn:${Aws.PARTITION}:s3:::${name}`;
}

/**
 * Server access logging written at the CloudFormation level, with a bucket-policy grant to the
 * S3 logging service: the log bucket keeps ACLs disabled (BucketOwnerEnforced), whatever the
 * app's feature flags say about `serverAccessLogsBucket`.
 */
export function enableServerAccessLogs(bucket: s3.Bucket, bucketName: string, logBucket: s3.Bucket, logPrefix: string): void {
  const cfnBucket = bucket.node.defaultChild as s3.CfnBucket;
  cfnBucket.loggingConfiguration = { destinationBucketName: logBucket.bucketName, logFilePrefix: logPrefix };
  logBucket.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: `AllowAccessLogsFrom${bucket.node.id}`,
      principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
      actions: ['s3:PutObject'],
      resources: [logBucket.arnForObjects(`${logPrefix}*`)],
      conditions: {
        ArnLike: { 'aws:SourceArn': bucketArnFromName(bucketName) },
        StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
      },
    }),
  );
}

/**
 * The bucket events that drive the function: uploads, and removals (the function deletes the
 * output of a deleted input). With the malware gate, GuardDuty's clean scan results take the
 * place of uploads, and only removals come from the bucket.
 */
export const PIPELINE_EVENTS: readonly s3.EventType[] = [s3.EventType.OBJECT_CREATED, s3.EventType.OBJECT_REMOVED];

/**
 * Sends every object-created and object-removed event of a bucket the pipeline created to `queue`, with the
 * bucket's own NotificationConfiguration (no custom resource). The queue policy lets only this
 * bucket, in this account, send; the bucket waits for that policy, which S3 checks on creation.
 */
export function notifyQueueFromCreatedBucket(
  created: CreatedBucket,
  queue: sqs.Queue,
  encryptionKey: kms.IKey | undefined,
  events: readonly s3.EventType[] = PIPELINE_EVENTS,
): void {
  const sourceConditions = {
    ArnLike: { 'aws:SourceArn': bucketArnFromName(created.name) },
    StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
  };
  const { policyDependable } = queue.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: `AllowObjectEventsFrom${created.bucket.node.id}`,
      principals: [new iam.ServicePrincipal('s3.amazonaws.com')],
      actions: ['sqs:SendMessage'],
      resources: [queue.queueArn],
      conditions: sourceConditions,
    }),
  );
  encryptionKey?.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: `AllowS3EventsFrom${created.bucket.node.id}ToUseTheQueueKey`,
      principals: [new iam.ServicePrincipal('s3.amazonaws.com')],
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: ['*'],
      conditions: sourceConditions,
    }),
  );
  const cfnBucket = created.bucket.node.defaultChild as s3.CfnBucket;
  cfnBucket.notificationConfiguration = { queueConfigurations: events.map((event) => ({ event, queue: queue.queueArn })) };
  if (policyDependable) created.bucket.node.addDependency(policyDependable);
}

/**
 * Sends object-created and object-removed events of an existing bucket to `queue`. CloudFormation cannot change an
 * imported bucket, so this uses CDK's notifications custom resource, which merges the new
 * notification with the ones the bucket already has.
 */
export function notifyQueueFromExistingBucket(bucket: s3.IBucket, queue: sqs.Queue, events: readonly s3.EventType[] = PIPELINE_EVENTS): void {
  for (const event of events) bucket.addEventNotification(event, new s3n.SqsDestination(queue));
  acknowledgeNotificationsHandler(queue);
}
