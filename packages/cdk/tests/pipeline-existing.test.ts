import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  actionsOnLiteral,
  allIdentityStatements,
  asArray,
  logicalId,
  roleStatements,
  synthesizePipeline,
  type Synthesized,
} from './helpers.js';

const UPLOADER = 'arn:aws:iam::111122223333:role/lab-uploader';
const READER = 'arn:aws:iam::111122223333:user/analyst';

// Existing buckets (the input one with its own KMS key), explicit principals, alarm e-mail, tuned settings.
describe('ImageSanitizationPipeline with existing buckets', () => {
  let synth: Synthesized;
  let inputKeyArn: string;

  beforeAll(() => {
    synth = synthesizePipeline((stack) => {
      const inputKey = kms.Key.fromKeyArn(stack, 'InputKey', 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab');
      inputKeyArn = inputKey.keyArn;
      return {
        existingInputBucket: s3.Bucket.fromBucketAttributes(stack, 'In', { bucketName: 'lab-uploads', encryptionKey: inputKey }),
        existingOutputBucket: s3.Bucket.fromBucketName(stack, 'Out', 'lab-clean'),
        uploaderPrincipalArns: [UPLOADER],
        readerPrincipalArns: [READER],
        alarmEmail: 'oncall@example.org',
        memorySize: 2048,
        timeout: Duration.minutes(2),
        maxObjectBytes: 100 * 1024 * 1024,
        keepColorProfile: false,
        keepOrientation: false,
        removalPolicy: RemovalPolicy.DESTROY,
        serviceName: 'lab-sanitizer',
      };
    });
  }, 120_000);

  it('creates no data bucket, only the backfill reports bucket', () => {
    synth.template.resourceCountIs('AWS::S3::Bucket', 1);
    expect(Object.keys(synth.template.findResources('AWS::S3::Bucket'))).toEqual([logicalId(synth.pipeline.backfill.reportBucket)]);
    expect(synth.pipeline.accessLogBucket).toBeUndefined();
  });

  it('attaches the object-created notification to the existing input bucket', () => {
    synth.template.hasResourceProperties('Custom::S3BucketNotifications', {
      BucketName: 'lab-uploads',
      NotificationConfiguration: {
        QueueConfigurations: [
          { Events: ['s3:ObjectCreated:*'], QueueArn: { 'Fn::GetAtt': [logicalId(synth.pipeline.queue), 'Arn'] } },
          { Events: ['s3:ObjectRemoved:*'], QueueArn: { 'Fn::GetAtt': [logicalId(synth.pipeline.queue), 'Arn'] } },
        ],
      },
      Managed: false,
    });
  });

  it('grants the function, User A and User B on the exact existing bucket ARNs', () => {
    const fn = roleStatements(synth.template, logicalId(synth.pipeline.functionRole));
    expect(actionsOnLiteral(fn, ':s3:::lab-uploads/*')).toEqual([
      's3:GetObject',
      's3:GetObjectTagging',
      's3:GetObjectVersion',
      's3:GetObjectVersionTagging',
      's3:PutObjectTagging',
      's3:PutObjectVersionTagging',
    ]);
    expect(actionsOnLiteral(fn, ':s3:::lab-clean/*')).toEqual(['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetObject', 's3:PutObject']);
    const uploader = roleStatements(synth.template, logicalId(synth.pipeline.uploaderRole));
    expect(actionsOnLiteral(uploader, ':s3:::lab-uploads')).toEqual(['s3:GetObject', 's3:ListBucket', 's3:PutObject']);
    expect(actionsOnLiteral(uploader, 'lab-clean')).toEqual([]);
    const reader = roleStatements(synth.template, logicalId(synth.pipeline.readerRole));
    expect(actionsOnLiteral(reader, ':s3:::lab-clean')).toEqual(['s3:GetObject', 's3:ListBucket']);
    expect(actionsOnLiteral(reader, 'lab-uploads')).toEqual([]);
  });

  it("grants use of the input bucket's own key to the function (decrypt) and User A, not to User B", () => {
    expect(actionsOnLiteral(roleStatements(synth.template, logicalId(synth.pipeline.functionRole)), inputKeyArn)).toEqual(['kms:Decrypt']);
    expect(actionsOnLiteral(roleStatements(synth.template, logicalId(synth.pipeline.uploaderRole)), inputKeyArn)).toEqual([
      'kms:Decrypt',
      'kms:GenerateDataKey',
    ]);
    expect(actionsOnLiteral(roleStatements(synth.template, logicalId(synth.pipeline.readerRole)), 'kms')).toEqual([]);
  });

  it('lets only the given principals assume the User A and User B roles', () => {
    const trust = (role: iam.Role): unknown => synth.template.toJSON().Resources[logicalId(role)].Properties.AssumeRolePolicyDocument.Statement;
    expect(trust(synth.pipeline.uploaderRole)).toEqual([{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: UPLOADER } }]);
    expect(trust(synth.pipeline.readerRole)).toEqual([{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: READER } }]);
  });

  it('subscribes the alarm e-mail to the topic', () => {
    synth.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.org',
      TopicArn: { Ref: logicalId(synth.pipeline.alarmTopic) },
    });
  });

  it('passes the tuned settings to the function, the queue and the rejected-objects alarm', () => {
    const resources = synth.template.toJSON().Resources;
    const fn = resources[logicalId(synth.pipeline.sanitizerFunction)].Properties;
    expect(fn).toMatchObject({ MemorySize: 2048, Timeout: 120 });
    expect(fn.Environment.Variables).toMatchObject({
      INPUT_BUCKET: 'lab-uploads',
      OUTPUT_BUCKET: 'lab-clean',
      MAX_OBJECT_BYTES: String(100 * 1024 * 1024),
      KEEP_COLOR_PROFILE: 'false',
      KEEP_ORIENTATION: 'false',
      POWERTOOLS_SERVICE_NAME: 'lab-sanitizer',
    });
    expect(resources[logicalId(synth.pipeline.queue)].Properties.VisibilityTimeout).toBe(720);
    synth.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ObjectsRejected',
      Namespace: 'ImageSanitizer',
      Dimensions: [{ Name: 'service', Value: 'lab-sanitizer' }],
    });
  });

  it('applies the removal policy to the log group and the topic key', () => {
    synth.template.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Delete' });
    synth.template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
  });

  it('has no * action or * resource on S3; CDK scopes its notifications handler to the input bucket', () => {
    const s3Statements = allIdentityStatements(synth.template).filter((s) => asArray(s.Action).some((a) => a.startsWith('s3:') || a === '*'));
    for (const statement of s3Statements) {
      expect(asArray(statement.Action).filter((a) => a.includes('*'))).toEqual([]);
      expect(asArray(statement.Resource)).not.toContain('*');
    }
    // CDK's notifications handler, and the function's ListBucket (404 rather than 403 for a deleted input).
    expect(actionsOnLiteral(allIdentityStatements(synth.template), ':s3:::lab-uploads"')).toEqual([
      's3:GetBucketNotification',
      's3:ListBucket',
      's3:ListBucket',
      's3:ListBucket', // the backfill role: a Batch Operations generated manifest lists the bucket
      's3:PutBucketNotification',
    ]);
  });

  it('passes cdk-nag AwsSolutions checks with zero unacknowledged findings', () => {
    expect(synth.nagFindings).toEqual([]);
  });
});
