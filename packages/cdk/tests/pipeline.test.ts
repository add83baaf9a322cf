import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  actionsOn,
  allIdentityStatements,
  asArray,
  logicalId,
  referencedIds,
  roleStatements,
  synthesizePipeline,
  type Statement,
  type Synthesized,
} from './helpers.js';

// The default configuration: new buckets, S3- and SQS-managed encryption, no KMS grants.
describe('ImageSanitizationPipeline with default props', () => {
  let synth: Synthesized;
  let ids: Record<'input' | 'output' | 'logs' | 'queue' | 'dlq' | 'fn' | 'fnRole' | 'uploader' | 'reader' | 'logGroup', string>;

  beforeAll(() => {
    synth = synthesizePipeline();
    const p = synth.pipeline;
    ids = {
      input: logicalId(p.inputBucket),
      output: logicalId(p.outputBucket),
      logs: logicalId(p.accessLogBucket!),
      queue: logicalId(p.queue),
      dlq: logicalId(p.deadLetterQueue),
      fn: logicalId(p.sanitizerFunction),
      fnRole: logicalId(p.functionRole),
      uploader: logicalId(p.uploaderRole),
      reader: logicalId(p.readerRole),
      logGroup: logicalId(p.logGroup),
    };
  }, 120_000);

  describe('buckets', () => {
    it('creates the input, output, access-log and backfill-report buckets and nothing else', () => {
      synth.template.resourceCountIs('AWS::S3::Bucket', 4);
    });

    it.each(['input', 'output', 'logs'] as const)('%s bucket blocks all public access and disables ACLs', (bucket) => {
      const props = synth.template.toJSON().Resources[ids[bucket]].Properties;
      expect(props.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(props.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
      expect(props.AccessControl).toBeUndefined();
    });

    it.each(['input', 'output', 'logs'] as const)('%s bucket is encrypted at rest with S3-managed keys', (bucket) => {
      expect(synth.template.toJSON().Resources[ids[bucket]].Properties.BucketEncryption).toEqual({
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      });
    });

    it.each(['input', 'output', 'logs'] as const)('%s bucket policy denies every request without TLS', (bucket) => {
      synth.template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: ids[bucket] },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Action: 's3:*', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    });

    it.each(['input', 'output'] as const)('%s bucket is versioned, logs its accesses and cleans up old versions and uploads', (bucket) => {
      synth.template.hasResourceProperties('AWS::S3::Bucket', {
        BucketName: Match.anyValue(),
        VersioningConfiguration: { Status: 'Enabled' },
        LoggingConfiguration: { DestinationBucketName: { Ref: ids.logs }, LogFilePrefix: `${bucket}/` },
        LifecycleConfiguration: {
          Rules: [
            Match.objectLike({
              Status: 'Enabled',
              NoncurrentVersionExpiration: { NoncurrentDays: 30 },
              AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
            }),
          ],
        },
      });
      expect(synth.template.toJSON().Resources[ids[bucket]].Properties.LoggingConfiguration.LogFilePrefix).toBe(`${bucket}/`);
    });

    it('lets only the S3 logging service of this account write access logs, from the two data buckets and the backfill reports bucket', () => {
      const policy = Object.values(synth.template.findResources('AWS::S3::BucketPolicy')).find(
        (resource) => JSON.stringify(resource.Properties.Bucket) === JSON.stringify({ Ref: ids.logs }),
      );
      const allows = (policy!.Properties.PolicyDocument.Statement as Statement[]).filter((s) => s.Effect === 'Allow');
      expect(allows).toHaveLength(3);
      for (const statement of allows) {
        expect(statement.Principal).toEqual({ Service: 'logging.s3.amazonaws.com' });
        expect(statement.Action).toBe('s3:PutObject');
        expect(statement.Condition).toMatchObject({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } });
      }
    });

    it('sends every object-created and object-removed event of the input bucket, and only of the input bucket, to the queue', () => {
      const resources = synth.template.toJSON().Resources;
      expect(resources[ids.input].Properties.NotificationConfiguration).toEqual({
        QueueConfigurations: [
          { Event: 's3:ObjectCreated:*', Queue: { 'Fn::GetAtt': [ids.queue, 'Arn'] } },
          { Event: 's3:ObjectRemoved:*', Queue: { 'Fn::GetAtt': [ids.queue, 'Arn'] } },
        ],
      });
      expect(resources[ids.output].Properties.NotificationConfiguration).toBeUndefined();
      expect(resources[ids.input].DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/QueuePolicy/)]));
      synth.template.resourceCountIs('Custom::S3BucketNotifications', 0);
    });
  });

  describe('queues', () => {
    it('the queue lets only S3 of this account, for the input bucket, send messages', () => {
      synth.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: ids.queue }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Allow',
              Principal: { Service: 's3.amazonaws.com' },
              Action: 'sqs:SendMessage',
              Condition: {
                ArnLike: { 'aws:SourceArn': Match.anyValue() },
                StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              },
            }),
          ]),
        },
      });
    });

    it.each(['queue', 'dlq'] as const)('%s is encrypted and denies requests without TLS', (queue) => {
      expect(synth.template.toJSON().Resources[ids[queue]].Properties.SqsManagedSseEnabled).toBe(true);
      synth.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: ids[queue] }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    });

    it('moves a message to the dead-letter queue after maxReceiveCount (3) receipts', () => {
      expect(synth.template.toJSON().Resources[ids.queue].Properties.RedrivePolicy).toEqual({
        deadLetterTargetArn: { 'Fn::GetAtt': [ids.dlq, 'Arn'] },
        maxReceiveCount: 3,
      });
    });

    it('keeps dead letters for 14 days', () => {
      expect(synth.template.toJSON().Resources[ids.dlq].Properties.MessageRetentionPeriod).toBe(14 * 24 * 3600);
    });

    it('keeps queued uploads for 14 days, so an outage up to that long drops no backlog', () => {
      expect(synth.template.toJSON().Resources[ids.queue].Properties.MessageRetentionPeriod).toBe(14 * 24 * 3600);
    });

    it('has a visibility timeout of at least six times the function timeout', () => {
      const resources = synth.template.toJSON().Resources;
      expect(resources[ids.queue].Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * resources[ids.fn].Properties.Timeout);
    });
  });

  describe('function', () => {
    it('runs the handler index.handler on arm64 with Node.js 22 or newer', () => {
      const props = synth.template.toJSON().Resources[ids.fn].Properties;
      expect(props.Architectures).toEqual(['arm64']);
      expect(props.Handler).toBe('index.handler');
      expect(Number(/^nodejs(\d+)\.x$/.exec(props.Runtime)?.[1])).toBeGreaterThanOrEqual(22);
      expect(props.MemorySize).toBe(512);
      expect(props.Timeout).toBe(60);
    });

    it('is configured through its environment', () => {
      synth.template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: {
            INPUT_BUCKET: { Ref: ids.input },
            OUTPUT_BUCKET: { Ref: ids.output },
            MAX_OBJECT_BYTES: String(50 * 1024 * 1024),
            KEEP_COLOR_PROFILE: 'true',
            KEEP_ORIENTATION: 'true',
            POWERTOOLS_SERVICE_NAME: 'image-sanitizer',
            POWERTOOLS_METRICS_NAMESPACE: 'ImageSanitizer',
          },
        },
      });
    });

    it('leaves recursive loop detection on', () => {
      expect(synth.template.toJSON().Resources[ids.fn].Properties.RecursiveLoop ?? 'Terminate').toBe('Terminate');
    });

    it('writes to its own log group, which has a retention', () => {
      synth.template.hasResourceProperties('AWS::Lambda::Function', { LoggingConfig: { LogGroup: { Ref: ids.logGroup } } });
      synth.template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    });

    it('consumes the queue with partial batch failures and a maximum concurrency', () => {
      synth.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: { 'Fn::GetAtt': [ids.queue, 'Arn'] },
        FunctionName: { Ref: ids.fn },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: 10 },
        BatchSize: 5,
      });
    });
  });

  describe('alarms', () => {
    const alarmOn = (metricName: string, namespace: string): Record<string, unknown> | undefined =>
      Object.values(synth.template.findResources('AWS::CloudWatch::Alarm')).find(
        (alarm) => alarm.Properties.MetricName === metricName && alarm.Properties.Namespace === namespace,
      )?.Properties;

    it('publish to an encrypted, TLS-only topic without an e-mail subscription by default', () => {
      synth.template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
      synth.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
        },
      });
      synth.template.resourceCountIs('AWS::SNS::Subscription', 0);
    });

    it("let CloudWatch use the topic key only for this account's alarms, and the key rotates", () => {
      synth.template.hasResourceProperties('AWS::KMS::Key', {
        EnableKeyRotation: true,
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
              Condition: {
                StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
                ArnLike: {
                  'aws:SourceArn': {
                    'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':alarm:*']],
                  },
                },
              },
            }),
          ]),
        },
      });
    });

    it.each([
      ['dead-letter queue not empty', 'ApproximateNumberOfMessagesVisible', 'AWS/SQS', 1],
      ['function errors', 'Errors', 'AWS/Lambda', 1],
      ['function throttles', 'Throttles', 'AWS/Lambda', 1],
      ['age of the oldest message', 'ApproximateAgeOfOldestMessage', 'AWS/SQS', 900],
      ['rejected objects', 'ObjectsRejected', 'ImageSanitizer', 1],
    ])('alarm on %s notifies the topic', (_name, metricName, namespace, threshold) => {
      const alarm = alarmOn(metricName, namespace);
      expect(alarm).toBeDefined();
      expect(alarm).toMatchObject({
        Threshold: threshold,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: logicalId(synth.pipeline.alarmTopic) }],
      });
    });

    it('watch the right queues and function', () => {
      expect(alarmOn('ApproximateNumberOfMessagesVisible', 'AWS/SQS')!.Dimensions).toEqual([
        { Name: 'QueueName', Value: { 'Fn::GetAtt': [ids.dlq, 'QueueName'] } },
      ]);
      expect(alarmOn('ApproximateAgeOfOldestMessage', 'AWS/SQS')!.Dimensions).toEqual([
        { Name: 'QueueName', Value: { 'Fn::GetAtt': [ids.queue, 'QueueName'] } },
      ]);
      expect(alarmOn('Errors', 'AWS/Lambda')!.Dimensions).toEqual([{ Name: 'FunctionName', Value: { Ref: ids.fn } }]);
    });

    it('read the rejected metric with the dimension service = POWERTOOLS_SERVICE_NAME, summed', () => {
      expect(alarmOn('ObjectsRejected', 'ImageSanitizer')).toMatchObject({
        Dimensions: [{ Name: 'service', Value: 'image-sanitizer' }],
        Statistic: 'Sum',
      });
    });
  });

  describe('least privilege', () => {
    it('the function may read and tag input objects, list the input (404 for a deleted input) and nothing else on the input', () => {
      expect(actionsOn(roleStatements(synth.template, ids.fnRole), ids.input)).toEqual(
        [
          's3:GetObject',
          's3:GetObjectTagging',
          's3:GetObjectVersion',
          's3:GetObjectVersionTagging',
          's3:ListBucket',
          's3:PutObjectTagging',
          's3:PutObjectVersionTagging',
        ].sort(),
      );
    });

    it('the function may put (and abort its own multipart uploads), head and delete output objects and list the output; it never deletes a version', () => {
      expect(actionsOn(roleStatements(synth.template, ids.fnRole), ids.output)).toEqual(['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetObject', 's3:ListBucket', 's3:PutObject']);
    });

    it('the function grants are on objects of the exact buckets, and on the two buckets for listing only', () => {
      const s3Statements = roleStatements(synth.template, ids.fnRole).filter((s) => asArray(s.Action).some((a) => a.startsWith('s3:')));
      expect(s3Statements.map((s) => s.Resource)).toEqual([
        { 'Fn::Join': ['', [{ 'Fn::GetAtt': [ids.input, 'Arn'] }, '/*']] },
        { 'Fn::Join': ['', [{ 'Fn::GetAtt': [ids.output, 'Arn'] }, '/*']] },
        [{ 'Fn::GetAtt': [ids.input, 'Arn'] }, { 'Fn::GetAtt': [ids.output, 'Arn'] }],
      ]);
      expect(s3Statements[2].Action).toBe('s3:ListBucket');
    });

    it('the function may consume its queue and write its own logs, and has no managed policy', () => {
      const statements = roleStatements(synth.template, ids.fnRole);
      expect(actionsOn(statements, ids.queue)).toEqual(
        ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'].sort(),
      );
      expect(actionsOn(statements, ids.logGroup)).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
      expect(synth.template.toJSON().Resources[ids.fnRole].Properties.ManagedPolicyArns).toBeUndefined();
      const allActions = statements.flatMap((s) => asArray(s.Action));
      // Beyond S3, SQS and logs: only what active tracing needs (X-Ray has no resource-level permissions).
      expect(allActions.filter((a) => !/^(s3|sqs|logs):/.test(a)).sort()).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
    });

    it('User A may put, get and list the input, and nothing on the output', () => {
      const statements = roleStatements(synth.template, ids.uploader);
      expect(actionsOn(statements, ids.input)).toEqual(['s3:GetObject', 's3:ListBucket', 's3:PutObject']);
      expect(actionsOn(statements, ids.output)).toEqual([]);
      expect(statements.every((s) => !referencedIds(s.Resource).has(ids.output))).toBe(true);
      const listStatement = statements.find((s) => s.Action === 's3:ListBucket');
      expect(listStatement!.Resource).toEqual({ 'Fn::GetAtt': [ids.input, 'Arn'] });
    });

    it('User B may get and list the output, nothing on the input, and write nowhere', () => {
      const statements = roleStatements(synth.template, ids.reader);
      expect(actionsOn(statements, ids.output)).toEqual(['s3:GetObject', 's3:ListBucket']);
      expect(actionsOn(statements, ids.input)).toEqual([]);
      const actions = statements.flatMap((s) => asArray(s.Action));
      expect(actions.filter((a) => /Put|Delete|Write|Create|Tag|Restore|Abort|Replicate/i.test(a))).toEqual([]);
    });

    it('no bucket policy allows the users or the function anything (all access comes from their roles)', () => {
      const bucketPolicies = Object.values(synth.template.findResources('AWS::S3::BucketPolicy'));
      const allows = bucketPolicies.flatMap((p) => (p.Properties.PolicyDocument.Statement as Statement[]).filter((s) => s.Effect === 'Allow'));
      for (const statement of allows) {
        expect(statement.Principal).toEqual({ Service: 'logging.s3.amazonaws.com' });
      }
    });

    it('no identity policy has a * action or a * resource on S3', () => {
      const s3Statements = allIdentityStatements(synth.template).filter((s) =>
        asArray(s.Action).some((action) => action === '*' || action.startsWith('s3:')),
      );
      expect(s3Statements.length).toBeGreaterThan(0);
      for (const statement of s3Statements) {
        expect(asArray(statement.Action).filter((action) => action.includes('*'))).toEqual([]);
        expect(asArray(statement.Resource)).not.toContain('*');
      }
    });

    it('grants no KMS permission when KMS is off', () => {
      const kmsActions = allIdentityStatements(synth.template).flatMap((s) => asArray(s.Action)).filter((a) => a.startsWith('kms:'));
      expect(kmsActions).toEqual([]);
    });

    it('User A and User B roles trust, by default, only principals of the account tagged for them', () => {
      for (const [role, value] of [[ids.uploader, 'uploader'], [ids.reader, 'reader']] as const) {
        expect(synth.template.toJSON().Resources[role].Properties.AssumeRolePolicyDocument.Statement).toEqual([
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']] } },
            Condition: { StringEquals: { 'aws:PrincipalTag/image-sanitizer-access': value } },
          },
        ]);
      }
    });

    it('the output bucket denies object writes and deletes to every principal but the function role', () => {
      synth.template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: ids.output },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Principal: { AWS: '*' },
              Action: Match.arrayWith(['s3:PutObject', 's3:PutObjectAcl', 's3:DeleteObject', 's3:DeleteObjectVersion']),
              Condition: { ArnNotEquals: { 'aws:PrincipalArn': { 'Fn::GetAtt': [ids.fnRole, 'Arn'] } } },
            }),
          ]),
        },
      });
    });

    it('the input bucket denies SSE-C uploads and, with S3-managed keys, any KMS upload', () => {
      synth.template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: ids.input },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Action: 's3:PutObject', Condition: { Null: { 's3:x-amz-server-side-encryption-customer-algorithm': 'false' } } }),
            Match.objectLike({ Effect: 'Deny', Action: 's3:PutObject', Condition: { StringEquals: { 's3:x-amz-server-side-encryption': ['aws:kms', 'aws:kms:dsse'] } } }),
          ]),
        },
      });
    });
  });

  it('passes cdk-nag AwsSolutions checks with zero unacknowledged findings', () => {
    expect(synth.nagFindings).toEqual([]);
  });
});
