// The deployable entry (bundled to dist/bundle/index.mjs, handler `index.handler`).
// Built at init: an invalid configuration fails the cold start, not every invocation.
import { createHandlerFromEnv } from './from-env.js';

export const handler = createHandlerFromEnv();
