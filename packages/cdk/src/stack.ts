import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { inventoryLocation, reportLocation } from './backfill.js';
import { ImageSanitizationPipeline } from './pipeline.js';
import type { ImageSanitizationPipelineProps } from './props.js';

/** Props of {@link ImageSanitizerStack}. */
export interface ImageSanitizerStackProps extends StackProps {
  /**
   * Props of the pipeline.
   * @default - every pipeline default
   */
  readonly pipeline?: ImageSanitizationPipelineProps;
}

/** One deployable environment of the pipeline, with the outputs User A and User B need. */
export class ImageSanitizerStack extends Stack {
  public readonly pipeline: ImageSanitizationPipeline;

  public constructor(scope: Construct, id: string, props: ImageSanitizerStackProps = {}) {
    super(scope, id, props);
    this.pipeline = new ImageSanitizationPipeline(this, 'Pipeline', props.pipeline);
    const output = (outputId: string, value: string, description: string): CfnOutput =>
      new CfnOutput(this, outputId, { value, description });
    output('InputBucketName', this.pipeline.inputBucket.bucketName, 'Upload images here (User A)');
    output('OutputBucketName', this.pipeline.outputBucket.bucketName, 'Sanitized copies land here (User B)');
    output('UploaderRoleArn', this.pipeline.uploaderRole.roleArn, 'Role User A assumes to upload');
    output('ReaderRoleArn', this.pipeline.readerRole.roleArn, 'Role User B assumes to read');
    output('QueueUrl', this.pipeline.queue.queueUrl, 'Queue of object-created events');
    output('DeadLetterQueueUrl', this.pipeline.deadLetterQueue.queueUrl, 'Events that failed every attempt; redrive from here');
    output('AlarmTopicArn', this.pipeline.alarmTopic.topicArn, 'Subscribe here to receive the alarms');
    output('SanitizerFunctionArn', this.pipeline.sanitizerFunction.functionArn, 'The function S3 Batch Operations jobs invoke');
    output('BackfillRoleArn', this.pipeline.backfill.role.roleArn, 'Role of S3 Batch Operations backfill jobs (npm run backfill)');
    output('BackfillReportLocation', reportLocation(this.pipeline.backfill), 'Completion reports of backfill jobs, under job-<id>/');
    if (props.pipeline?.backfillInventory) {
      output('BackfillInventoryLocation', inventoryLocation(this.pipeline.backfill, this.pipeline.inputBucket), 'Daily inventories of the input bucket: backfill manifests');
    }
  }
}
