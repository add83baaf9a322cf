import { ConfigError } from './errors.js';

/** What the handler needs to know; built once, from the environment, by `loadConfig()`. */
export interface PipelineConfig {
  /** Events from any other bucket are ignored. Undefined: any bucket but the output bucket. */
  readonly inputBucket?: string;
  /** Where sanitized images are written, under the same key. */
  readonly outputBucket: string;
  /** Objects above this size are rejected without being read in full. */
  readonly maxObjectBytes: number;
  readonly keepColorProfile: boolean;
  readonly keepOrientation: boolean;
}

/** 50 MiB: larger than any photo a phone takes, small enough for a 1 GiB Lambda. */
export const DEFAULT_MAX_OBJECT_BYTES = 50 * 1024 * 1024;
/** 1 GiB: the object, its sanitized copy and the runtime must fit in Lambda memory. */
export const MAX_OBJECT_BYTES_LIMIT = 1024 * 1024 * 1024;

// https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html (the common subset)
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Read and validate the configuration. Every problem is reported at once in a
 * single `ConfigError`, so a misconfigured function fails at start-up with a
 * message that says what to fix.
 *
 * | variable           | default    |
 * | ------------------ | ---------- |
 * | `OUTPUT_BUCKET`    | (required) |
 * | `INPUT_BUCKET`     | (any)      |
 * | `MAX_OBJECT_BYTES` | 52428800   |
 * | `KEEP_COLOR_PROFILE` | true     |
 * | `KEEP_ORIENTATION` | true       |
 */
export function loadConfig(env: Env): PipelineConfig {
  const problems: string[] = [];
  const outputBucket = bucketName(env, 'OUTPUT_BUCKET', problems, true);
  const inputBucket = bucketName(env, 'INPUT_BUCKET', problems, false);
  if (outputBucket !== undefined && outputBucket === inputBucket) {
    problems.push(`OUTPUT_BUCKET must differ from INPUT_BUCKET (both are "${outputBucket}"): writing sanitized images back to the input bucket would trigger the pipeline again, forever`);
  }
  const maxObjectBytes = positiveInteger(env, 'MAX_OBJECT_BYTES', DEFAULT_MAX_OBJECT_BYTES, MAX_OBJECT_BYTES_LIMIT, problems);
  const keepColorProfile = flag(env, 'KEEP_COLOR_PROFILE', true, problems);
  const keepOrientation = flag(env, 'KEEP_ORIENTATION', true, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    ...(inputBucket === undefined ? {} : { inputBucket }),
    outputBucket: outputBucket as string,
    maxObjectBytes,
    keepColorProfile,
    keepOrientation,
  };
}

function bucketName(env: Env, name: string, problems: string[], required: boolean): string | undefined {
  const value = env[name]?.trim();
  if (value === undefined || value === '') {
    if (required) problems.push(`${name} is required: the name of the bucket to write sanitized images to`);
    return undefined;
  }
  if (!BUCKET_NAME.test(value)) {
    problems.push(`${name} must be an S3 bucket name (3-63 characters: a-z, 0-9, '.', '-'), got "${value}"`);
    return undefined;
  }
  return value;
}

function positiveInteger(env: Env, name: string, fallback: number, max: number, problems: string[]): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    problems.push(`${name} must be a whole number of bytes between 1 and ${max}, got "${raw}"`);
    return fallback;
  }
  return value;
}

function flag(env: Env, name: string, fallback: boolean, problems: string[]): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  problems.push(`${name} must be "true" or "false", got "${env[name]}"`);
  return fallback;
}
