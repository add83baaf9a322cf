import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { addEnvironmentStack } from '../src/app.js';
import { DESIGN_BUCKET_PREFIX, environmentProps, stackNameFor } from '../src/environments.js';
import { PipelineConfigError } from '../src/errors.js';
import { ImageSanitizerStack } from '../src/stack.js';
import { testCode } from './helpers.js';

describe('environmentProps', () => {
  it('defaults to dev, disposable, without KMS, and leaves the bucket names to the construct', () => {
    const props = environmentProps({});
    expect(props).toMatchObject({ environment: 'dev', enableKms: false, removalPolicy: RemovalPolicy.DESTROY });
    expect(props.inputBucketProps).toBeUndefined();
    expect(props.outputBucketProps).toBeUndefined();
    expect(stackNameFor('dev')).toBe('ImageSanitizer-dev');
  });

  it('prod retains its data and uses KMS', () => {
    expect(environmentProps({ env: 'prod' })).toMatchObject({ environment: 'prod', enableKms: true, removalPolicy: RemovalPolicy.RETAIN });
  });

  it('gives the original design\'s names genomics-platform-<input|output>-<env> when asked for them', () => {
    expect(DESIGN_BUCKET_PREFIX).toBe('genomics-platform');
    expect(environmentProps({ env: 'prod', bucketPrefix: DESIGN_BUCKET_PREFIX })).toMatchObject({
      inputBucketProps: { bucketName: 'genomics-platform-input-prod' },
      outputBucketProps: { bucketName: 'genomics-platform-output-prod' },
    });
  });

  it('reads principals as comma-separated ARNs and the alarm e-mail', () => {
    expect(
      environmentProps({ uploaderPrincipals: 'arn:aws:iam::111122223333:role/a, arn:aws:iam::111122223333:user/b', readerPrincipals: 'arn:aws:iam::111122223333:role/c', alarmEmail: 'x@y.org' }),
    ).toMatchObject({
      uploaderPrincipalArns: ['arn:aws:iam::111122223333:role/a', 'arn:aws:iam::111122223333:user/b'],
      readerPrincipalArns: ['arn:aws:iam::111122223333:role/c'],
      alarmEmail: 'x@y.org',
    });
  });

  it('rejects an environment name that cannot be part of a bucket name', () => {
    expect(() => environmentProps({ env: 'Prod_1' })).toThrow(PipelineConfigError);
    expect(() => environmentProps({ env: 'Prod_1' })).toThrow(/^env: /);
  });
});

describe('ImageSanitizerStack', () => {
  let template: Template;

  beforeAll(() => {
    const { environment, ...pipeline } = environmentProps({});
    const stack = new ImageSanitizerStack(new App(), stackNameFor(environment), { pipeline: { ...pipeline, code: testCode() } });
    template = Template.fromStack(stack);
  }, 120_000);

  it('is environment-agnostic: no account or region is resolved at synthesis', () => {
    const text = JSON.stringify(template.toJSON());
    expect(text).not.toMatch(/\b\d{12}\b/);
    expect(text).toContain('AWS::AccountId');
  });

  it('names the buckets after the stack, the account and the region, so that any account can deploy it', () => {
    const names = Object.values(template.findResources('AWS::S3::Bucket'))
      .map((bucket) => bucket.Properties.BucketName)
      .filter((name) => name !== undefined);
    expect(names).toHaveLength(2);
    for (const name of names) {
      const [, parts] = name['Fn::Join'] as [string, unknown[]];
      // A readable, hashed form of the construct path (the stack name is part of it), then account and region.
      expect(parts[0]).toMatch(/^[a-z0-9-]+-[0-9a-f]{8}-(input|output)bucket-$/);
      expect(parts).toContainEqual({ Ref: 'AWS::AccountId' });
      expect(parts).toContainEqual({ Ref: 'AWS::Region' });
    }
  });

  it('outputs the bucket names, role ARNs, queue and dead-letter queue URLs', () => {
    const outputs = Object.keys(template.toJSON().Outputs);
    expect(outputs).toEqual(
      expect.arrayContaining(['InputBucketName', 'OutputBucketName', 'UploaderRoleArn', 'ReaderRoleArn', 'QueueUrl', 'DeadLetterQueueUrl']),
    );
    template.hasOutput('UploaderRoleArn', { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('UploaderRole'), 'Arn'] } });
    template.hasOutput('DeadLetterQueueUrl', { Value: { Ref: Match.stringLikeRegexp('DeadLetterQueue') } });
  });
});


const bundleBuilt = existsSync(join(dirname(fileURLToPath(import.meta.url)), '../dist/lambda/index.mjs'));

// The app as `cdk synth -c env=prod` runs it: default code (the built bundle) and cdk-nag at synthesis.
describe('addEnvironmentStack', () => {
  it.skipIf(!bundleBuilt)('synthesizes the prod stack with cdk-nag and no finding (needs `npm run build`)', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'app-synth-'));
    try {
      const app = new App({ outdir, context: { env: 'prod', alarmEmail: 'oncall@example.org', bucketPrefix: DESIGN_BUCKET_PREFIX } });
      const stack = addEnvironmentStack(app);
      const assembly = app.synth();
      expect(stack.stackName).toBe('ImageSanitizer-prod');
      const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8'));
      expect(report.pluginReports.flatMap((plugin: { violations: unknown[] }) => plugin.violations)).toEqual([]);
      const template = Template.fromJSON(assembly.getStackByName('ImageSanitizer-prod').template);
      template.hasResourceProperties('AWS::S3::Bucket', { BucketName: 'genomics-platform-input-prod' });
      template.resourceCountIs('AWS::SNS::Subscription', 1);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  }, 120_000);
});
