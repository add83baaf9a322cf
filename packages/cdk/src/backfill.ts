import { Aws, Duration, Stack, Validations, type RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { flattenReference } from './acknowledgements.js';
import { enableServerAccessLogs } from './buckets.js';

/** Where Batch Operations writes completion reports, inside the reports bucket. */
export const BACKFILL_REPORT_PREFIX = 'reports';
/** Where S3 Inventory delivers the input bucket's listings (manifests for a backfill), inside the reports bucket. */
export const BACKFILL_INVENTORY_PREFIX = 'inventory';
/** The id of the input bucket's inventory configuration. */
export const BACKFILL_INVENTORY_ID = 'backfill-manifest';
/** Completion reports and inventories are kept this long. */
export const BACKFILL_REPORT_RETENTION = Duration.days(90);
/** The service that assumes the Batch Operations role. */
export const BATCH_OPERATIONS_PRINCIPAL = 'batchoperations.s3.amazonaws.com';

/** What a backfill through S3 Batch Operations needs. */
export interface PipelineBackfill {
  /** The role S3 Batch Operations jobs run as: invoke the function, read inventory manifests, write reports. */
  readonly role: iam.Role;
  /** Completion reports under `reports/`, inventories (when enabled) under `inventory/`. SSE-S3: reports always are. */
  readonly reportBucket: s3.Bucket;
}

export interface BackfillProps {
  readonly inputBucket: s3.IBucket;
  /** Set when the pipeline created the input bucket: only then can an inventory be attached to it. */
  readonly createdInputBucket?: s3.Bucket;
  readonly sanitizerFunction: lambda.IFunction;
  readonly accessLogBucket?: s3.Bucket;
  readonly removalPolicy: RemovalPolicy;
  readonly inventory: boolean;
}

/**
 * The S3 Batch Operations side of the pipeline: a reports bucket, a role only Batch Operations
 * jobs of this account may assume, and (optionally) a daily inventory of the input bucket.
 * Every grant is written out on exact resources, with its cdk-nag acknowledgement beside it.
 */
export function createBackfill(scope: Construct, props: BackfillProps): PipelineBackfill {
  const reportBucket = new s3.Bucket(scope, 'BackfillReportBucket', {
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    encryption: s3.BucketEncryption.S3_MANAGED,
    lifecycleRules: [{ id: 'expire-reports-and-inventories', expiration: BACKFILL_REPORT_RETENTION }],
    removalPolicy: props.removalPolicy,
  });
  if (props.accessLogBucket) enableServerAccessLogs(reportBucket, reportBucket.bucketName, props.accessLogBucket, 'backfill-reports/');
  else {
    Validations.of(reportBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'With both data buckets imported the pipeline creates no access-log bucket; this bucket holds only Batch Operations reports and inventories, written by AWS services.',
    });
  }

  const role = new iam.Role(scope, 'BackfillRole', {
    description: 'Image sanitizer backfill: S3 Batch Operations jobs invoke the sanitizer and write completion reports',
    // Only Batch Operations jobs of this account (confused-deputy guard).
    assumedBy: new iam.ServicePrincipal(BATCH_OPERATIONS_PRINCIPAL, {
      conditions: {
        StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
        ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:s3:${Aws.REGION}:${Aws.ACCOUNT_ID}:job/*` },
      },
    }),
  });
  const allow = (statement: iam.PolicyStatement): void => {
    role.addToPrincipalPolicy(statement);
  };

  allow(new iam.PolicyStatement({ sid: 'InvokeSanitizer', actions: ['lambda:InvokeFunction'], resources: [props.sanitizerFunction.functionArn] }));

  // A generated manifest (S3JobManifestGenerator) lists the input bucket; nothing else of it is readable.
  allow(new iam.PolicyStatement({ sid: 'ListInputForGeneratedManifests', actions: ['s3:ListBucket'], resources: [props.inputBucket.bucketArn] }));

  const reports = reportBucket.arnForObjects(`${BACKFILL_REPORT_PREFIX}/*`);
  allow(new iam.PolicyStatement({ sid: 'WriteCompletionReports', actions: ['s3:PutObject'], resources: [reports] }));
  allow(new iam.PolicyStatement({ sid: 'LocateReportBucket', actions: ['s3:GetBucketLocation'], resources: [reportBucket.bucketArn] }));
  acknowledgeWildcard(role, reports, 'A job writes its report under reports/job-<id>/, an id known only once the job exists; nothing else of the bucket is writable.');

  if (props.inventory && props.createdInputBucket) {
    props.createdInputBucket.addInventory({
      inventoryId: BACKFILL_INVENTORY_ID,
      destination: { bucket: reportBucket, prefix: BACKFILL_INVENTORY_PREFIX },
      format: s3.InventoryFormat.CSV,
      frequency: s3.InventoryFrequency.DAILY,
      includeObjectVersions: s3.InventoryObjectVersion.CURRENT,
      optionalFields: ['ETag', 'Size', 'LastModifiedDate'],
    });
    const inventories = reportBucket.arnForObjects(`${BACKFILL_INVENTORY_PREFIX}/*`);
    allow(new iam.PolicyStatement({ sid: 'ReadInventoryManifests', actions: ['s3:GetObject', 's3:GetObjectVersion'], resources: [inventories] }));
    acknowledgeWildcard(role, inventories, 'A job reads the inventory manifest and its listing files, dated paths S3 Inventory writes each day; read-only, under inventory/ only.');
  }

  return { role, reportBucket };
}

/** `AwsSolutions-IAM5[Resource::<arn>]` on `role`, acknowledged where the grant is made. */
function acknowledgeWildcard(role: iam.Role, arn: string, reason: string): void {
  const resource = flattenReference(Stack.of(role).resolve(arn));
  Validations.of(role).acknowledge({ id: `AwsSolutions-IAM5[Resource::${resource}]`, reason });
}

/** `s3://bucket/reports/`, where a job's report lands (under `job-<id>/`). */
export function reportLocation(backfill: PipelineBackfill): string {
  return `s3://${backfill.reportBucket.bucketName}/${BACKFILL_REPORT_PREFIX}/`;
}

/** `s3://bucket/inventory/<input bucket>/backfill-manifest/`, where each day's `manifest.json` lands. */
export function inventoryLocation(backfill: PipelineBackfill, inputBucket: s3.IBucket): string {
  return `s3://${backfill.reportBucket.bucketName}/${BACKFILL_INVENTORY_PREFIX}/${inputBucket.bucketName}/${BACKFILL_INVENTORY_ID}/`;
}
