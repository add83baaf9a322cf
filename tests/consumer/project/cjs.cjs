// CommonJS consumer: require() of core and of the CDK construct (what a `cdk init` app does).
const assert = require('node:assert/strict');
const { readFileSync } = require('node:fs');
const { sanitizeImage, SanitizeError } = require('@image-sanitizer/core');
const { createSanitizer } = require('@image-sanitizer/core/compose');
const { jpeg, png } = require('@image-sanitizer/core/formats');
const { ImageSanitizationPipeline } = require('@image-sanitizer/cdk');

const result = sanitizeImage(new Uint8Array(readFileSync(process.argv[2])));
assert.equal(result.format, 'jpeg');
assert.throws(() => sanitizeImage(new Uint8Array([1, 2, 3])), (error) => error instanceof SanitizeError && error.code === 'UNSUPPORTED_FORMAT');
// The subpaths, required: a sanitizer over chosen formats gives the main entry's bytes and refuses the others
// (with a SanitizeError the main entry's class recognises: each CommonJS entry carries its own copy).
const composed = createSanitizer([jpeg]);
assert.deepEqual(composed.sanitizeImage(new Uint8Array(readFileSync(process.argv[2]))).bytes, result.bytes);
const pngInput = new Uint8Array(readFileSync(process.argv[3]));
assert.throws(() => composed.sanitizeImage(pngInput), (error) => error instanceof SanitizeError && error.code === 'UNSUPPORTED_FORMAT' && error.format === 'png');
assert.equal(createSanitizer([png]).sanitizeImage(pngInput).format, 'png');
assert.equal(typeof ImageSanitizationPipeline, 'function');
console.log(`cjs ok: core removed ${result.removed.length} items, cdk construct loaded`);
