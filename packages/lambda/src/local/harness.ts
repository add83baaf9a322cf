// The local stack's parts, for scripts (benchmarks) that drive it from outside the package: built to
// dist/local/harness.js. Not part of the package's public API (that is src/index.ts).
export { localS3Client, localSqsClient, LOCAL_REGION } from './clients.js';
export { startLocalStack } from './stack.js';
export type { LocalStack, LocalStackOptions } from './stack.js';
export { startPoller } from './poller.js';
export { runLocalBackfill } from '../backfill/local.js';
export { encodeS3Key } from '../events.js';
