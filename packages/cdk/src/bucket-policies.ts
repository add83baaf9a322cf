import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * Every object-level action that writes, replaces, deletes or re-labels an object or one of its
 * versions. On the output bucket only the function may use them: identity policies elsewhere in
 * the account (an `s3:*` admin, a CI role) cannot reach past this.
 */
export const OBJECT_WRITE_ACTIONS = [
  's3:PutObject',
  's3:PutObjectAcl',
  's3:PutObjectVersionAcl',
  's3:PutObjectTagging',
  's3:PutObjectVersionTagging',
  's3:PutObjectRetention',
  's3:PutObjectLegalHold',
  's3:DeleteObject',
  's3:DeleteObjectVersion',
  's3:DeleteObjectTagging',
  's3:DeleteObjectVersionTagging',
  's3:RestoreObject',
  's3:AbortMultipartUpload',
  's3:ReplicateObject',
  's3:ReplicateDelete',
] as const;

/**
 * Deny object writes and deletes on the output bucket to every principal but `writer` (the
 * function's role). Deployment needs no exception: the stack writes no objects (no
 * auto-delete), and S3 lifecycle expiry is not subject to bucket policies. The bucket policy
 * itself stays editable by the account's administrators, which is how this is lifted.
 */
export function denyOutputWritesToAllBut(output: s3.Bucket, writer: iam.IRole): void {
  output.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'DenyObjectWritesToAllButTheSanitizer',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: [...OBJECT_WRITE_ACTIONS],
      resources: [output.arnForObjects('*')],
      conditions: { ArnNotEquals: { 'aws:PrincipalArn': writer.roleArn } },
    }),
  );
}

/**
 * Refuse uploads the function could not read, which would only cycle into the dead-letter
 * queue: SSE-C (the key stays with the uploader), and SSE-KMS with a key other than `key`
 * (with S3-managed encryption, any request for KMS). A key must be named by its ARN.
 */
export function denyUnreadableUploads(input: s3.Bucket, key: kms.IKey | undefined): void {
  input.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'DenyCustomerProvidedKeys',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['s3:PutObject'],
      resources: [input.arnForObjects('*')],
      conditions: { Null: { 's3:x-amz-server-side-encryption-customer-algorithm': 'false' } },
    }),
  );
  input.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: key ? 'DenyForeignKmsKeys' : 'DenyKmsEncryption',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['s3:PutObject'],
      resources: [input.arnForObjects('*')],
      conditions: key
        ? {
            Null: { 's3:x-amz-server-side-encryption-aws-kms-key-id': 'false' },
            StringNotEquals: { 's3:x-amz-server-side-encryption-aws-kms-key-id': key.keyArn },
          }
        : { StringEquals: { 's3:x-amz-server-side-encryption': ['aws:kms', 'aws:kms:dsse'] } },
    }),
  );
}
