// Jest, as a CDK project runs it: require() the construct and assert on the template.
const { App, Stack } = require('aws-cdk-lib');
const { Template } = require('aws-cdk-lib/assertions');
const { ImageSanitizationPipeline, PipelineConfigError } = require('@image-sanitizer/cdk');

test('the pipeline synthesizes with its defaults', () => {
  const stack = new Stack(new App(), 'JestStack');
  new ImageSanitizationPipeline(stack, 'Sanitizer');
  const template = Template.fromStack(stack);
  template.hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs24.x', Handler: 'index.handler', Architectures: ['arm64'] });
  template.resourceCountIs('AWS::SQS::Queue', 2);
  template.resourceCountIs('AWS::S3::Bucket', 4); // input, output, access logs, backfill reports
});

test('invalid props fail with every problem listed', () => {
  const stack = new Stack(new App(), 'BadStack');
  expect(() => new ImageSanitizationPipeline(stack, 'Sanitizer', { memorySize: 1, batchSize: 0 })).toThrow(PipelineConfigError);
});
