// Type-checked with `tsc --strict`, node16 resolution, skipLibCheck false (tsconfig.json).
import { sanitizeImage, SanitizeStream, type SanitizeResult, type SanitizeErrorCode } from '@image-sanitizer/core';
import { createSanitizer, type Sanitizer } from '@image-sanitizer/core/compose';
import { jpeg, png, type ImageFormatHandler } from '@image-sanitizer/core/formats';
import { createHandler, loadConfig, type HandlerDeps, type ObjectOutcome, type SQSBatchResponse } from '@image-sanitizer/lambda';
import { ENV, METRIC, type MetricName } from '@image-sanitizer/lambda/contract';
import { ImageSanitizationPipeline, type ImageSanitizationPipelineProps } from '@image-sanitizer/cdk';
import { App, Duration, Stack } from 'aws-cdk-lib';

const result: SanitizeResult = sanitizeImage(new Uint8Array(8));
const formats: ImageFormatHandler[] = [jpeg, png];
const sanitizer: Sanitizer = createSanitizer(formats);
const composed: SanitizeResult = sanitizer.sanitizeImage(new Uint8Array(8));
const stream: SanitizeStream = new sanitizer.SanitizeStream({ keepOrientation: false });
const code: SanitizeErrorCode = 'MALFORMED';
const config = loadConfig({ [ENV.outputBucket]: 'clean-images' });
const metric: MetricName = METRIC.rejected;
const describe = (outcome: ObjectOutcome): string => (outcome.outcome === 'rejected' ? outcome.reason : outcome.outcome);
const handlerFor = (deps: HandlerDeps) => createHandler(deps);
const response: SQSBatchResponse = { batchItemFailures: [{ itemIdentifier: 'm1' }] };
const props: ImageSanitizationPipelineProps = { memorySize: 2048, timeout: Duration.minutes(2), inputBucketProps: { bucketName: 'my-uploads' } };
const pipeline = new ImageSanitizationPipeline(new Stack(new App(), 'TypedStack'), 'Sanitizer', props);
const bucketName: string = pipeline.outputBucket.bucketName;
export { result, composed, stream, code, config, metric, describe, handlerFor, response, bucketName };
