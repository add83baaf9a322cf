// On a server you trust, with User A's credentials (the CDK stack's UploaderRoleArn): a presigned PUT URL for
// one key of the input bucket (InputBucketName), valid for five minutes. The browser cleans the photo and PUTs
// the clean copy there (examples/browser-upload.ts); it never holds AWS credentials.
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

export interface PresignUploadInput {
  /** The stack output `InputBucketName`. */
  bucket: string;
  /** Where the photo goes, e.g. `uploads/<user id>/<uuid>.jpg`. The sanitized copy gets the same key in the output bucket. */
  key: string;
  /** The media type the browser sends (`Content-Type` is part of the signature). */
  contentType: string;
  /** An S3 client whose credentials are User A's role session. */
  s3: S3Client;
  /** @default 300 */
  expiresInSeconds?: number;
}

export function presignUpload({ bucket, key, contentType, s3, expiresInSeconds = 300 }: PresignUploadInput): Promise<string> {
  return getSignedUrl(s3, new PutObjectCommand({ Bucket: bucket, Key: key, ContentType: contentType }), { expiresIn: expiresInSeconds });
}
