import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

/*
 * Every grant of the pipeline, written as explicit statements on exact ARNs. The broad
 * `bucket.grantRead/grantWrite` helpers are avoided on purpose: they add actions
 * (s3:GetBucket*, s3:List*, s3:DeleteObject*, s3:Abort*) that no one here needs.
 */

/**
 * The principal tag that lets a principal of the account assume the uploader or reader role when
 * no principal ARNs are given: `image-sanitizer-access` = `uploader` (User A) or `reader` (User B).
 */
export const ACCESS_TAG = 'image-sanitizer-access';

/** What the sanitizer function may do on S3 and CloudWatch Logs. */
export function functionStatements(input: s3.IBucket, output: s3.IBucket, logGroup: logs.ILogGroup): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'ReadAndTagInputObjects',
      // The *Version* actions are what S3 checks when a request names the VersionId from the event.
      actions: [
        's3:GetObject',
        's3:GetObjectVersion',
        's3:GetObjectTagging',
        's3:GetObjectVersionTagging',
        's3:PutObjectTagging',
        's3:PutObjectVersionTagging',
      ],
      resources: [input.arnForObjects('*')],
    }),
    new iam.PolicyStatement({
      sid: 'WriteAndWithdrawOutputObjects',
      // Large outputs go up as multipart uploads (covered by s3:PutObject); a failed one is aborted.
      // GetObject is what HeadObject needs: the ordering check reads the published output's
      // sequencer. DeleteObject withdraws an output (a delete marker: the bucket is versioned);
      // no DeleteObjectVersion, so no version is ever destroyed.
      actions: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:GetObject', 's3:DeleteObject'],
      resources: [output.arnForObjects('*')],
    }),
    new iam.PolicyStatement({
      sid: 'TellMissingObjectsApart',
      // Without ListBucket, S3 answers 403 instead of 404 for a missing key: a deleted input
      // or a not-yet-published output would look like an access error and be retried forever.
      actions: ['s3:ListBucket'],
      resources: [input.bucketArn, output.bucketArn],
    }),
    new iam.PolicyStatement({
      sid: 'WriteOwnLogs',
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [logGroup.logGroupArn],
    }),
  ];
}

/** User A: upload to and read back from the input bucket, list it. Nothing on the output. */
export function uploaderStatements(input: s3.IBucket): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'PutAndGetInputObjects',
      actions: ['s3:PutObject', 's3:GetObject'],
      resources: [input.arnForObjects('*')],
    }),
    new iam.PolicyStatement({ sid: 'ListInputBucket', actions: ['s3:ListBucket'], resources: [input.bucketArn] }),
  ];
}

/** User B: read sanitized objects and list the output bucket. Nothing on the input, no writes. */
export function readerStatements(output: s3.IBucket): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({ sid: 'GetOutputObjects', actions: ['s3:GetObject'], resources: [output.arnForObjects('*')] }),
    new iam.PolicyStatement({ sid: 'ListOutputBucket', actions: ['s3:ListBucket'], resources: [output.bucketArn] }),
  ];
}

/** Use of the given KMS keys for exactly `actions`; no statement when there is no key. */
export function keyStatements(sid: string, keys: readonly (kms.IKey | undefined)[], actions: readonly string[]): iam.PolicyStatement[] {
  const keyArns = [...new Set(keys.filter((key): key is kms.IKey => key !== undefined).map((key) => key.keyArn))];
  return keyArns.length === 0 ? [] : [new iam.PolicyStatement({ sid, actions: [...actions], resources: keyArns })];
}

/**
 * A role that only `principalArns` may assume; when none are given, only principals of this
 * account that carry the tag {@link ACCESS_TAG} = `tagValue` (and whose own policy allows
 * sts:AssumeRole on the role). Exactly `statements` are granted.
 */
export function createAccessRole(
  scope: Construct,
  id: string,
  description: string,
  principalArns: readonly string[] | undefined,
  tagValue: 'uploader' | 'reader',
  statements: readonly iam.PolicyStatement[],
): iam.Role {
  const principals =
    principalArns !== undefined && principalArns.length > 0
      ? principalArns.map((arn) => new iam.ArnPrincipal(arn))
      : [new iam.PrincipalWithConditions(new iam.AccountRootPrincipal(), { StringEquals: { [`aws:PrincipalTag/${ACCESS_TAG}`]: tagValue } })];
  const role = new iam.Role(scope, id, { description, assumedBy: new iam.CompositePrincipal(...principals) });
  statements.forEach((statement) => role.addToPrincipalPolicy(statement));
  return role;
}
