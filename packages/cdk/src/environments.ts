import { RemovalPolicy } from 'aws-cdk-lib';
import { PipelineConfigError } from './errors.js';
import type { ImageSanitizationPipelineProps } from './props.js';

/** The environment the app deploys when no `-c env=...` is given. */
export const DEFAULT_ENVIRONMENT = 'dev';
const ENVIRONMENT_NAME = /^[a-z][a-z0-9-]{0,19}$/;

/** What the app reads from its CDK context (`-c key=value` or cdk.json). */
export interface AppContext {
  /** Environment name: `dev` (default), `staging`, `prod`, ... */
  readonly env?: string;
  /** E-mail address for the alarms. */
  readonly alarmEmail?: string;
  /** Comma-separated ARNs allowed to assume the uploader role. */
  readonly uploaderPrincipals?: string;
  /** Comma-separated ARNs allowed to assume the reader role. */
  readonly readerPrincipals?: string;
  /**
   * Name the buckets `<bucketPrefix>-input-<env>` and `<bucketPrefix>-output-<env>`
   * (`genomics-platform` gives the original design's names). Such names are global: only one
   * account in the world can hold them. Unset: names derived from the stack, the account and the region.
   */
  readonly bucketPrefix?: string;
}

/** The prefix of the original design's bucket names, `genomics-platform-<input|output>-<env>`. */
export const DESIGN_BUCKET_PREFIX = 'genomics-platform';

/** The stack name of an environment. */
export function stackNameFor(environment: string): string {
  return `ImageSanitizer-${environment}`;
}

/**
 * Pipeline props of one environment. Bucket names are left to the construct, which derives them
 * from the stack, the account and the region, so the same app deploys in any account without a
 * name clash; with `bucketPrefix` they are `<prefix>-input-<env>` and `<prefix>-output-<env>`.
 * `prod` keeps its data and uses KMS, every other environment is disposable (its non-empty
 * buckets still survive a stack deletion).
 */
export function environmentProps(context: AppContext): ImageSanitizationPipelineProps & { readonly environment: string } {
  const environment = context.env ?? DEFAULT_ENVIRONMENT;
  if (!ENVIRONMENT_NAME.test(environment)) {
    throw new PipelineConfigError(
      'INVALID_PROPS',
      `env: "${environment}" must be 1–20 lowercase letters, digits or hyphens, starting with a letter`,
      [`env: "${environment}" is not a valid environment name`],
    );
  }
  const production = environment === 'prod';
  return {
    environment,
    ...(context.bucketPrefix === undefined
      ? {}
      : {
          inputBucketProps: { bucketName: `${context.bucketPrefix}-input-${environment}` },
          outputBucketProps: { bucketName: `${context.bucketPrefix}-output-${environment}` },
        }),
    enableKms: production,
    removalPolicy: production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    alarmEmail: context.alarmEmail,
    uploaderPrincipalArns: splitList(context.uploaderPrincipals),
    readerPrincipalArns: splitList(context.readerPrincipals),
  };
}

function splitList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}
