import {
  BUCKET_NAME_RULE,
  DEFAULT_KEEP_COLOR_PROFILE,
  DEFAULT_KEEP_ORIENTATION,
  DEFAULT_MAX_OBJECT_BYTES,
  ENV,
  isValidBucketName,
  MAX_OBJECT_BYTES_LIMIT,
} from './contract.js';
import { ConfigError } from './errors.js';

export { DEFAULT_MAX_OBJECT_BYTES, MAX_OBJECT_BYTES_LIMIT } from './contract.js';

/** What the handler needs to know; built once, from the environment, by `loadConfig()`. */
export interface PipelineConfig {
  /** Events from any other bucket are ignored. Undefined: any bucket but the output bucket. */
  readonly inputBucket?: string;
  /** Where sanitized images are written, under the same key. */
  readonly outputBucket: string;
  /** Objects of a buffered format (WebP, HEIC/AVIF, TIFF) above this size are rejected without being read in full; JPEG, PNG and GIF stream, bounded by the timeout. */
  readonly maxObjectBytes: number;
  readonly keepColorProfile: boolean;
  readonly keepOrientation: boolean;
  /** Publish only objects GuardDuty tagged `NO_THREATS_FOUND` (the malware gate). Default false. */
  readonly requireMalwareScan?: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Read and validate the configuration (the variables and defaults of `./contract.ts`). Every
 * problem is reported at once in a single `ConfigError`, so a misconfigured function fails at
 * start-up with a message that says what to fix.
 */
export function loadConfig(env: Env): PipelineConfig {
  const problems: string[] = [];
  const outputBucket = bucketName(env, ENV.outputBucket, problems, true);
  const inputBucket = bucketName(env, ENV.inputBucket, problems, false);
  if (outputBucket !== undefined && outputBucket === inputBucket) {
    problems.push(`${ENV.outputBucket} must differ from ${ENV.inputBucket} (both are "${outputBucket}"): writing sanitized images back to the input bucket would trigger the pipeline again, forever`);
  }
  const maxObjectBytes = positiveInteger(env, ENV.maxObjectBytes, DEFAULT_MAX_OBJECT_BYTES, MAX_OBJECT_BYTES_LIMIT, problems);
  const keepColorProfile = flag(env, ENV.keepColorProfile, DEFAULT_KEEP_COLOR_PROFILE, problems);
  const keepOrientation = flag(env, ENV.keepOrientation, DEFAULT_KEEP_ORIENTATION, problems);
  const requireMalwareScan = flag(env, ENV.requireMalwareScan, false, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    ...(inputBucket === undefined ? {} : { inputBucket }),
    outputBucket: outputBucket as string,
    maxObjectBytes,
    keepColorProfile,
    keepOrientation,
    ...(requireMalwareScan ? { requireMalwareScan } : {}),
  };
}

function bucketName(env: Env, name: string, problems: string[], required: boolean): string | undefined {
  const value = env[name]?.trim();
  if (value === undefined || value === '') {
    if (required) problems.push(`${name} is required: the name of the bucket to write sanitized images to`);
    return undefined;
  }
  if (!isValidBucketName(value)) {
    problems.push(`${name} must be an S3 bucket name (${BUCKET_NAME_RULE}), got "${value}"`);
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
