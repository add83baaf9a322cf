import { App, Duration, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { PipelineConfigError } from '../src/errors.js';
import { ImageSanitizationPipeline } from '../src/pipeline.js';
import type { ImageSanitizationPipelineProps } from '../src/props.js';
import { testCode } from './helpers.js';

function build(props: (stack: Stack) => ImageSanitizationPipelineProps): () => ImageSanitizationPipeline {
  return () => {
    const stack = new Stack(new App(), 'TestStack');
    return new ImageSanitizationPipeline(stack, 'Pipeline', { code: testCode(), ...props(stack) });
  };
}

function problemsOf(props: (stack: Stack) => ImageSanitizationPipelineProps): readonly string[] {
  try {
    build(props)();
  } catch (error) {
    expect(error).toBeInstanceOf(PipelineConfigError);
    expect((error as PipelineConfigError).code).toBe('INVALID_PROPS');
    return (error as PipelineConfigError).problems;
  }
  throw new Error('expected the props to be rejected');
}

describe('validatePipelineProps', () => {
  it.each<[string, ImageSanitizationPipelineProps]>([
    ['memorySize', { memorySize: 64 }],
    ['memorySize', { memorySize: 1500.5 }],
    ['timeout', { timeout: Duration.minutes(16) }],
    ['timeout', { timeout: Duration.millis(500) }],
    ['maxObjectBytes', { maxObjectBytes: 0 }],
    ['maxObjectBytes', { maxObjectBytes: 600 * 1024 * 1024 }],
    ['maxObjectBytes', { memorySize: 10_240, maxObjectBytes: 1024 * 1024 * 1024 + 1 }],
    ['maxReceiveCount', { maxReceiveCount: 0 }],
    ['maxConcurrency', { maxConcurrency: 1 }],
    ['batchSize', { batchSize: 11 }],
    ['alarmEmail', { alarmEmail: 'not-an-address' }],
    ['uploaderPrincipalArns', { uploaderPrincipalArns: ['arn:aws:s3:::a-bucket'] }],
    ['readerPrincipalArns', { readerPrincipalArns: [] }],
    ['serviceName', { serviceName: 'has spaces' }],
    ['inputBucketProps.bucketName', { inputBucketProps: { bucketName: 'Upper_Case' } }],
    ['outputBucketProps.noncurrentVersionExpiration', { outputBucketProps: { noncurrentVersionExpiration: Duration.hours(1) } }],
    ['outputBucketProps', { inputBucketProps: { bucketName: 'same-name' }, outputBucketProps: { bucketName: 'same-name' } }],
  ])('rejects an invalid %s with a message naming it', (prop, props) => {
    const problems = problemsOf(() => props);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${prop.replace('.', '\\.')}: `));
    expect(build(() => props)).toThrow(prop);
  });

  it('rejects an existing bucket together with settings for a new one', () => {
    const problems = problemsOf((stack) => ({
      existingInputBucket: s3.Bucket.fromBucketName(stack, 'In', 'existing-in'),
      inputBucketProps: { bucketName: 'new-in' },
    }));
    expect(problems).toEqual(['existingInputBucket: give either existingInputBucket or inputBucketProps, not both']);
  });

  it('reports every problem at once, in one error', () => {
    const problems = problemsOf((stack) => ({
      existingOutputBucket: s3.Bucket.fromBucketName(stack, 'Out', 'existing-out'),
      outputBucketProps: {},
      memorySize: 1,
      timeout: Duration.hours(1),
      alarmEmail: 'nobody',
      batchSize: 0,
    }));
    expect(problems.map((problem) => problem.split(':')[0])).toEqual(['existingOutputBucket', 'memorySize', 'timeout', 'batchSize', 'alarmEmail']);
    expect(build(() => ({ memorySize: 1, batchSize: 0 }))).toThrow(/Invalid ImageSanitizationPipeline props:\n {2}- memorySize: .*\n {2}- batchSize: /);
  });

  it('rejects before creating any resource', () => {
    const stack = new Stack(new App(), 'TestStack');
    expect(() => new ImageSanitizationPipeline(stack, 'Pipeline', { code: testCode(), memorySize: 1 })).toThrow(PipelineConfigError);
    expect(stack.node.findChild('Pipeline').node.children).toHaveLength(0);
  });

  it('accepts the limits of every range', () => {
    expect(
      build(() => ({
        memorySize: 10_240,
        timeout: Duration.minutes(15),
        maxObjectBytes: 1024 * 1024 * 1024,
        maxReceiveCount: 1000,
        maxConcurrency: 2,
        batchSize: 10,
        uploaderPrincipalArns: ['arn:aws:iam::111122223333:root', 'arn:aws-us-gov:iam::111122223333:role/path/uploader'],
        readerPrincipalArns: ['arn:aws:iam::111122223333:user/reader'],
        alarmEmail: 'a@b.co',
      })),
    ).not.toThrow();
  });

  it('holds maxObjectBytes to the memory a buffered format was measured to take (160 MiB + 3.5 x the object)', () => {
    const MIB = 1024 * 1024;
    // (512 - 160) MiB / 3.5 = 100.57 MiB
    expect(build(() => ({ memorySize: 512, maxObjectBytes: 100 * MIB }))).not.toThrow();
    expect(problemsOf(() => ({ memorySize: 512, maxObjectBytes: 101 * MIB }))).toEqual([
      expect.stringMatching(/^maxObjectBytes: 105906176 does not fit memorySize \(512 MiB\).*at most 105456786 fits$/),
    ]);
    // Below the function's own needs no object fits.
    expect(problemsOf(() => ({ memorySize: 128, maxObjectBytes: 1 }))).toEqual([expect.stringMatching(/^maxObjectBytes: 1 does not fit memorySize \(128 MiB\)/)]);
  });
});
