import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';

/** s3rver's fixed account. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
export const LOCAL_REGION = 'us-east-1';

/**
 * An S3 client for s3rver: path-style URLs, and checksums only when an
 * operation requires them (otherwise s3rver stores the aws-chunked framing
 * as part of the object).
 */
export function localS3Client(endpoint: string, options: { maxAttempts?: number } = {}): S3Client {
  return new S3Client({
    endpoint,
    region: LOCAL_REGION,
    credentials: S3RVER_CREDENTIALS,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
  });
}

/** An SQS client for fauxqs (which accepts any credentials). */
export function localSqsClient(endpoint: string): SQSClient {
  return new SQSClient({ endpoint, region: LOCAL_REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
}
