import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { ImageSanitizationPipeline } from '../src/pipeline.js';
import { ImageSanitizerStack } from '../src/stack.js';
import { actionsOn, asArray, logicalId, roleStatements, synthesizePipeline, testCode, type Synthesized } from './helpers.js';

describe('backfill through S3 Batch Operations (default props)', () => {
  let synth: Synthesized;
  let ids: Record<'role' | 'reports' | 'input' | 'output' | 'fn' | 'fnRole' | 'logs', string>;

  beforeAll(() => {
    synth = synthesizePipeline();
    const p = synth.pipeline;
    ids = {
      role: logicalId(p.backfill.role),
      reports: logicalId(p.backfill.reportBucket),
      input: logicalId(p.inputBucket),
      output: logicalId(p.outputBucket),
      fn: logicalId(p.sanitizerFunction),
      fnRole: logicalId(p.functionRole),
      logs: logicalId(p.accessLogBucket!),
    };
  }, 120_000);

  it('the role trusts only S3 Batch Operations jobs of this account', () => {
    const role = synth.template.toJSON().Resources[ids.role];
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'batchoperations.s3.amazonaws.com' },
        Condition: {
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
          ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':job/*']] } },
        },
      },
    ]);
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('the role may invoke the sanitizer, list the input bucket and write reports, nothing else', () => {
    const statements = roleStatements(synth.template, ids.role);
    expect(statements.every((s) => s.Effect === 'Allow')).toBe(true);
    expect(actionsOn(statements, ids.fn)).toEqual(['lambda:InvokeFunction']);
    expect(actionsOn(statements, ids.input)).toEqual(['s3:ListBucket']);
    expect(actionsOn(statements, ids.output)).toEqual([]);
    expect(actionsOn(statements, ids.reports)).toEqual(['s3:GetBucketLocation', 's3:PutObject']);
    const put = statements.find((s) => asArray(s.Action).includes('s3:PutObject'));
    expect(put?.Resource).toEqual({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [ids.reports, 'Arn'] }, '/reports/*']] });
    // Every statement names resources of its own; none is '*'.
    expect(statements.flatMap((s) => asArray(s.Resource as unknown))).not.toContain('*');
    expect(statements.flatMap((s) => asArray(s.Action))).toHaveLength(4);
  });

  it('the reports bucket is private, TLS-only, SSE-S3 (as reports always are), logged and expiring', () => {
    const props = synth.template.toJSON().Resources[ids.reports].Properties;
    expect(props.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(props.BucketEncryption).toEqual({ ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] });
    expect(props.LoggingConfiguration).toEqual({ DestinationBucketName: { Ref: ids.logs }, LogFilePrefix: 'backfill-reports/' });
    expect(props.LifecycleConfiguration.Rules).toEqual([expect.objectContaining({ ExpirationInDays: 90, Status: 'Enabled' })]);
    const policy = Object.values(synth.template.findResources('AWS::S3::BucketPolicy')).find((p) => JSON.stringify(p.Properties.Bucket) === JSON.stringify({ Ref: ids.reports }));
    expect(JSON.stringify(policy?.Properties.PolicyDocument)).toContain('aws:SecureTransport');
  });

  it('no inventory unless asked for', () => {
    expect(synth.template.toJSON().Resources[ids.input].Properties.InventoryConfigurations).toBeUndefined();
  });

  it('the function may read back its own output (HeadObject: the rerun check)', () => {
    const statements = roleStatements(synth.template, ids.fnRole);
    expect(actionsOn(statements, ids.output)).toContain('s3:GetObject');
  });

  it('is cdk-nag clean', () => {
    expect(synth.nagFindings).toEqual([]);
  });
});

describe('backfill with the input bucket inventory', () => {
  let synth: Synthesized;

  beforeAll(() => {
    synth = synthesizePipeline(() => ({ backfillInventory: true }));
  }, 120_000);

  it('a daily CSV inventory of current versions goes to the reports bucket under inventory/', () => {
    const input = synth.template.toJSON().Resources[logicalId(synth.pipeline.inputBucket)].Properties;
    expect(input.InventoryConfigurations).toEqual([
      {
        Id: 'backfill-manifest',
        Enabled: true,
        Destination: { BucketArn: { 'Fn::GetAtt': [logicalId(synth.pipeline.backfill.reportBucket), 'Arn'] }, Format: 'CSV', Prefix: 'inventory' },
        IncludedObjectVersions: 'Current',
        ScheduleFrequency: 'Daily',
        OptionalFields: ['ETag', 'Size', 'LastModifiedDate'],
      },
    ]);
  });

  it('the role may read the inventory manifests, read-only', () => {
    const statements = roleStatements(synth.template, logicalId(synth.pipeline.backfill.role));
    const read = statements.find((s) => s.Sid === 'ReadInventoryManifests');
    expect(read?.Action).toEqual(['s3:GetObject', 's3:GetObjectVersion']);
    expect(read?.Resource).toEqual({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId(synth.pipeline.backfill.reportBucket), 'Arn'] }, '/inventory/*']] });
  });

  it('S3 may deliver the inventory, only from the input bucket', () => {
    const reports = logicalId(synth.pipeline.backfill.reportBucket);
    const policy = Object.values(synth.template.findResources('AWS::S3::BucketPolicy')).find((p) => JSON.stringify(p.Properties.Bucket) === JSON.stringify({ Ref: reports }));
    const delivery = policy?.Properties.PolicyDocument.Statement.find((s: { Principal?: { Service?: string } }) => s.Principal?.Service === 's3.amazonaws.com');
    expect(delivery).toMatchObject({ Action: 's3:PutObject', Condition: { ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [logicalId(synth.pipeline.inputBucket), 'Arn'] } } } });
  });

  it('is cdk-nag clean', () => {
    expect(synth.nagFindings).toEqual([]);
  });

  it('is refused with an existing input bucket', () => {
    const stack = new Stack(new App(), 'Refused');
    const existing = s3.Bucket.fromBucketName(stack, 'Existing', 'some-existing-input');
    expect(() => new ImageSanitizationPipeline(stack, 'P', { code: testCode(), existingInputBucket: existing, backfillInventory: true })).toThrow(/backfillInventory: needs a new input bucket/);
  });
});

describe('backfill with both buckets imported', () => {
  it('is cdk-nag clean without an access-log bucket', () => {
    const synth = synthesizePipeline((stack) => ({
      existingInputBucket: s3.Bucket.fromBucketName(stack, 'In', 'existing-input-bucket'),
      existingOutputBucket: s3.Bucket.fromBucketName(stack, 'Out', 'existing-output-bucket'),
    }));
    expect(synth.nagFindings).toEqual([]);
    const statements = roleStatements(synth.template, logicalId(synth.pipeline.backfill.role));
    expect(JSON.stringify(statements)).toContain('existing-input-bucket');
  }, 120_000);
});

describe('stack outputs for `npm run backfill`', () => {
  it('names the role, the report location and the function', () => {
    const app = new App();
    const stack = new ImageSanitizerStack(app, 'Outputs', { pipeline: { code: testCode(), backfillInventory: true } });
    const outputs = Template.fromStack(stack).toJSON().Outputs;
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(['BackfillRoleArn', 'BackfillReportLocation', 'SanitizerFunctionArn', 'BackfillInventoryLocation', 'InputBucketName']));
    expect(outputs.BackfillRoleArn.Value).toEqual({ 'Fn::GetAtt': [logicalId(stack.pipeline.backfill.role), 'Arn'] });
    expect(JSON.stringify(outputs.BackfillReportLocation.Value)).toContain('/reports/');
    expect(JSON.stringify(outputs.BackfillInventoryLocation.Value)).toContain('/backfill-manifest/');
  });
});
