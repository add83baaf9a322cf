/** The local stack's defaults, shared by `npm start` and `npm run backfill -- --local`. */
export const DEFAULT_INPUT_BUCKET = 'genomics-platform-input-dev';
export const DEFAULT_OUTPUT_BUCKET = 'genomics-platform-output-dev';
export const DEFAULT_S3_PORT = 4568;
export const DEFAULT_SQS_PORT = 4576;
