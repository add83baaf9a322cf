// ESM consumer: every package's import entry, run for real.
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { detectFormat, sanitizeImage } from '@image-sanitizer/core';
import { createSanitizer } from '@image-sanitizer/core/compose';
import { jpeg, png } from '@image-sanitizer/core/formats';
import { createHandlerFromEnv } from '@image-sanitizer/lambda';
import { ENV, METRIC, isValidBucketName } from '@image-sanitizer/lambda/contract';
import { ImageSanitizationPipeline, REJECTED_METRIC_NAME } from '@image-sanitizer/cdk';

const input = readFileSync(process.argv[2]);
const PNG = new Uint8Array(readFileSync(process.argv[3]));
const result = sanitizeImage(new Uint8Array(input));
assert.equal(detectFormat(result.bytes), 'jpeg');
assert.ok(result.removed.length > 0, 'the fixture carries metadata to remove');
// The subpaths: a sanitizer over chosen formats gives the main entry's bytes and refuses the others.
const composed = createSanitizer([jpeg]);
assert.deepEqual(composed.sanitizeImage(new Uint8Array(input)).bytes, result.bytes);
assert.throws(() => composed.sanitizeImage(PNG), (error) => error.code === 'UNSUPPORTED_FORMAT' && error.format === 'png');
assert.equal(createSanitizer([png]).sanitizeImage(PNG).format, 'png');

assert.equal(METRIC.rejected, REJECTED_METRIC_NAME);
assert.equal(isValidBucketName('genomics-platform-input-dev'), true);
assert.equal(isValidBucketName('192.168.0.1'), false);

// The handler, as the deployed bundle builds it: an s3:TestEvent through SQS touches no bucket.
const handler = createHandlerFromEnv({ [ENV.outputBucket]: 'clean-images', [ENV.inputBucket]: 'raw-images' });
const testEvent = { Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: 'raw-images' };
const response = await handler({ Records: [{ messageId: 'm1', eventSource: 'aws:sqs', body: JSON.stringify(testEvent) }] });
assert.deepEqual(response, { batchItemFailures: [] });

assert.equal(typeof ImageSanitizationPipeline, 'function');
console.log(`esm ok: core removed ${result.removed.length} items, lambda handler answered ${JSON.stringify(response)}, cdk construct loaded`);
