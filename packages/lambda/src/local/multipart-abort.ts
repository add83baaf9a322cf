import { existsSync, readdirSync, rmSync } from 'node:fs';
import type { RequestListener } from 'node:http';
import { join } from 'node:path';

/** Where s3rver 3.7.1's filesystem store keeps the parts of unfinished multipart uploads of a bucket. */
export function uploadsDir(dataDir: string, bucket: string): string {
  return join(dataDir, bucket, '._S3rver_uploads');
}

/** The ids of the multipart uploads of `bucket` that were started and neither completed nor aborted. */
export function pendingUploads(dataDir: string, bucket: string): string[] {
  const dir = uploadsDir(dataDir, bucket);
  return existsSync(dir) ? readdirSync(dir) : [];
}

const UPLOAD_ID = /^[0-9a-f]{32}$/; // s3rver's ids: 16 random bytes in hex
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * s3rver 3.7.1 creates, fills and completes multipart uploads but answers
 * AbortMultipartUpload (`DELETE /bucket/key?uploadId=…`) with 405
 * MethodNotAllowed. This serves that one request as S3 does — the upload's
 * parts are discarded, 204; an unknown upload is 404 NoSuchUpload — and passes
 * every other request to s3rver. Path-style requests only (as our clients send).
 */
export function withMultipartAbort(handle: RequestListener, dataDir: string): RequestListener {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const uploadId = url.searchParams.get('uploadId');
    if (req.method !== 'DELETE' || uploadId === null) return handle(req, res);
    req.resume();
    const bucket = decodeURIComponent(url.pathname.split('/')[1] ?? '');
    const dir = uploadsDir(dataDir, bucket);
    if (!BUCKET.test(bucket) || !UPLOAD_ID.test(uploadId) || !existsSync(join(dir, uploadId))) {
      res.writeHead(404, { 'content-type': 'application/xml' });
      res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchUpload</Code><Message>The specified upload does not exist.</Message></Error>');
      return;
    }
    rmSync(join(dir, uploadId), { recursive: true, force: true });
    res.writeHead(204);
    res.end();
  };
}
