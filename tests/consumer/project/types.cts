// The CommonJS declarations (index.d.cts) of core and cdk, as a CommonJS TypeScript project sees them.
import { detectFormat, type ImageFormat } from '@image-sanitizer/core';
import { createSanitizer } from '@image-sanitizer/core/compose';
import { webp } from '@image-sanitizer/core/formats';
import { ImageSanitizationPipeline, type PipelineConfigError } from '@image-sanitizer/cdk';
import { App, Stack } from 'aws-cdk-lib';

const format: ImageFormat | undefined = detectFormat(new Uint8Array(8));
const supported: readonly ImageFormat[] = createSanitizer([webp]).SUPPORTED_FORMATS;
const pipeline = new ImageSanitizationPipeline(new Stack(new App(), 'CjsStack'), 'Sanitizer', { enableKms: true });
const describe = (error: PipelineConfigError): string => `${error.code}: ${error.problems.join('; ')}`;
export { format, supported, pipeline, describe };
