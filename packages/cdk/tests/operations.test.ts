// Operating the pipeline: active tracing, the dashboard and the optional GuardDuty malware gate.
import type { CfnElement } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { synthesizePipeline } from './helpers.js';

/** A test synthesizes one or two apps: the first synth of a file is slow (imports) on a loaded 2-core machine. */
const SYNTH_TIMEOUT = 120_000;

/** The generated input bucket name, as the template writes it (`Fn::Join` over account and region). */
const inputBucketName = Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('inputbucket')])] });

/** The input bucket's own notification configuration, as JSON. */
function inputNotifications(template: Template): string {
  const [input] = Object.entries(template.findResources('AWS::S3::Bucket')).filter(([id]) => id.includes('InputBucket'));
  return JSON.stringify(input?.[1].Properties?.NotificationConfiguration ?? {});
}

describe('tracing', { timeout: SYNTH_TIMEOUT }, () => {
  it('is active by default, with Powertools Tracer switched on in the function', () => {
    // Act
    const { template } = synthesizePipeline();

    // Assess
    template.hasResourceProperties('AWS::Lambda::Function', {
      TracingConfig: { Mode: 'Active' },
      Environment: { Variables: Match.objectLike({ POWERTOOLS_TRACE_ENABLED: 'true' }) },
    });
  });

  it('can be turned off', () => {
    // Act
    const { template } = synthesizePipeline(() => ({ tracing: false }));

    // Assess
    template.hasResourceProperties('AWS::Lambda::Function', {
      TracingConfig: Match.absent(),
      Environment: { Variables: Match.objectLike({ POWERTOOLS_TRACE_ENABLED: 'false' }) },
    });
  });
});

describe('dashboard', { timeout: SYNTH_TIMEOUT }, () => {
  it('shows objects, bytes, durations, queues, errors, throttles, concurrency and every alarm', () => {
    // Act
    const { template, pipeline, stack } = synthesizePipeline();

    // Assess
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const body = JSON.stringify(Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]?.Properties.DashboardBody);
    for (const metric of [
      'ObjectsSanitized', 'ObjectsRejected', 'ObjectsFailed', 'ObjectsWithdrawn', 'ObjectsDeleted', 'BytesIn', 'BytesOut',
      'ObjectDuration', 'ApproximateNumberOfMessagesVisible', 'ApproximateAgeOfOldestMessage', 'Errors', 'Throttles',
      'ConcurrentExecutions', 'Duration',
    ]) {
      expect(body, metric).toContain(`\\"${metric}\\"`);
    }
    for (const statistic of ['p50', 'p90', 'p99']) expect(body).toContain(statistic);
    const alarms = Object.values(pipeline.alarms);
    expect(alarms.length).toBeGreaterThanOrEqual(5);
    for (const alarm of alarms) expect(body).toContain(stack.getLogicalId(alarm.node.defaultChild as CfnElement));
  });

  it('can be left out', () => {
    // Act
    const { template } = synthesizePipeline(() => ({ dashboard: false }));

    // Assess
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
  });
});

describe('malware gate (malwareProtection: true)', { timeout: SYNTH_TIMEOUT }, () => {
  it('protects the input bucket with GuardDuty, tagging scanned objects', () => {
    // Act
    const { template } = synthesizePipeline(() => ({ malwareProtection: true }));

    // Assess
    template.hasResourceProperties('AWS::GuardDuty::MalwareProtectionPlan', {
      ProtectedResource: { S3Bucket: { BucketName: inputBucketName } },
      Actions: { Tagging: { Status: 'ENABLED' } },
      Role: { 'Fn::GetAtt': [Match.stringLikeRegexp('MalwareGateScanRole'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'malware-protection-plan.guardduty.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }),
        ],
      },
    });
  });

  it('drives the queue with clean scan results only, instead of object-created notifications', () => {
    // Act
    const { template } = synthesizePipeline(() => ({ malwareProtection: true }));

    // Assess
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.guardduty'],
        'detail-type': ['GuardDuty Malware Protection Object Scan Result'],
        detail: {
          scanStatus: ['COMPLETED'],
          resourceType: ['S3_OBJECT'],
          s3ObjectDetails: { bucketName: [inputBucketName] },
          scanResultDetails: { scanResultStatus: ['NO_THREATS_FOUND'] },
        },
      },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('PipelineQueue'), 'Arn'] } })],
    });
    expect(inputNotifications(template)).not.toContain('s3:ObjectCreated');
    expect(inputNotifications(template)).toContain('s3:ObjectRemoved'); // deletes still withdraw outputs
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ REQUIRE_MALWARE_SCAN: 'true' }) },
    });
  });

  it('is off by default: no plan, no rule, uploads notify the queue directly', () => {
    // Act
    const { template } = synthesizePipeline();

    // Assess
    template.resourceCountIs('AWS::GuardDuty::MalwareProtectionPlan', 0);
    template.resourceCountIs('AWS::Events::Rule', 0);
    expect(inputNotifications(template)).toContain('s3:ObjectCreated');
  });

  it('keeps cdk-nag AwsSolutions clean, with and without KMS', () => {
    // Act
    const plain = synthesizePipeline(() => ({ malwareProtection: true }));
    const withKms = synthesizePipeline(() => ({ malwareProtection: true, enableKms: true }));

    // Assess
    expect(plain.nagFindings).toEqual([]);
    expect(withKms.nagFindings).toEqual([]);
  });
});
