// Type-checked with `tsc --strict`, node16 resolution, skipLibCheck false (tsconfig.json).
import { sanitizeImage, type SanitizeResult, type SanitizeErrorCode } from '@image-sanitizer/core';
import { createHandler, loadConfig, type HandlerDeps, type ObjectOutcome, type SQSBatchResponse } from '@image-sanitizer/lambda';
import { ENV, METRIC, type MetricName } from '@image-sanitizer/lambda/contract';
import { ImageSanitizationPipeline, type ImageSanitizationPipelineProps } from '@image-sanitizer/cdk';
import { App, Duration, Stack } from 'aws-cdk-lib';

const result: SanitizeResult = sanitizeImage(new Uint8Array(8));
const code: SanitizeErrorCode = 'MALFORMED';
const config = loadConfig({ [ENV.outputBucket]: 'clean-images' });
const metric: MetricName = METRIC.rejected;
const describe = (outcome: ObjectOutcome): string => (outcome.outcome === 'rejected' ? outcome.reason : outcome.outcome);
const handlerFor = (deps: HandlerDeps) => createHandler(deps);
const response: SQSBatchResponse = { batchItemFailures: [{ itemIdentifier: 'm1' }] };
const props: ImageSanitizationPipelineProps = { memorySize: 2048, timeout: Duration.minutes(2), inputBucketProps: { bucketName: 'my-uploads' } };
const pipeline = new ImageSanitizationPipeline(new Stack(new App(), 'TypedStack'), 'Sanitizer', props);
const bucketName: string = pipeline.outputBucket.bucketName;
export { result, code, config, metric, describe, handlerFor, response, bucketName };
