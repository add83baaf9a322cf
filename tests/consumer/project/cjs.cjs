// CommonJS consumer: require() of core and of the CDK construct (what a `cdk init` app does).
const assert = require('node:assert/strict');
const { readFileSync } = require('node:fs');
const { sanitizeImage, SanitizeError } = require('@image-sanitizer/core');
const { ImageSanitizationPipeline } = require('@image-sanitizer/cdk');

const result = sanitizeImage(new Uint8Array(readFileSync(process.argv[2])));
assert.equal(result.format, 'jpeg');
assert.throws(() => sanitizeImage(new Uint8Array([1, 2, 3])), (error) => error instanceof SanitizeError && error.code === 'UNSUPPORTED_FORMAT');
assert.equal(typeof ImageSanitizationPipeline, 'function');
console.log(`cjs ok: core removed ${result.removed.length} items, cdk construct loaded`);
