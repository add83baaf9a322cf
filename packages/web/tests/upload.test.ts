// The upload example (examples/browser-upload.ts on packages/web's upload.html) in real Chromium, against s3rver on
// 127.0.0.1 with the CORS rule the input bucket needs: the photo is cleaned in the page, only the clean copy is
// PUT to a presigned URL (examples/presign-upload.ts), and a file that cannot be cleaned is not sent at all.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { chromium, type Browser } from 'playwright-core';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { presignUpload } from '../../../examples/presign-upload.js';
import { containsText, decodePixels, exifrSeesImage, samePixels } from '../../core/tests/judges.js';
import { FIXTURES_DIR, fixtureManifest } from '../../core/tests/load.js';
import { startServer } from '../server.mjs';
import { CHROMIUM, LAUNCH } from './chromium.js';

const BUCKET = 'input';

/** What the CDK's input bucket needs for browser uploads from the page's origin: PUT with a Content-Type. */
function corsRule(origin: string): string {
  return `<CORSConfiguration><CORSRule><AllowedOrigin>${origin}</AllowedOrigin><AllowedMethod>PUT</AllowedMethod><AllowedHeader>content-type</AllowedHeader></CORSRule></CORSConfiguration>`;
}

describe.skipIf(CHROMIUM === undefined)('the upload example in Chromium', () => {
  let web: { url: string; close: () => Promise<void> };
  let s3Server: Server;
  let s3: S3Client;
  let browser: Browser;
  let dataDir: string;
  let s3Origin: string;

  beforeAll(async () => {
    // The web server's port must be known for the CORS rule, and the S3 origin for the page's CSP: S3 first.
    dataDir = mkdtempSync(join(tmpdir(), 'web-upload-'));
    s3Server = createServer();
    await new Promise<void>((resolve) => s3Server.listen(0, '127.0.0.1', resolve));
    s3Origin = `http://127.0.0.1:${(s3Server.address() as AddressInfo).port}`;
    web = await startServer({ port: 0, uploadConnectSrc: s3Origin });
    const s3rver = new S3rver({ silent: true, directory: dataDir, configureBuckets: [{ name: BUCKET, configs: [corsRule(new URL(web.url).origin)] }] });
    await s3rver.configureBuckets();
    s3Server.on('request', s3rver.callback());
    s3 = new S3Client({
      endpoint: s3Origin,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    browser = await chromium.launch(LAUNCH);
  });

  afterAll(async () => {
    await browser?.close();
    await web?.close();
    s3?.destroy();
    s3Server?.closeAllConnections();
    await new Promise((resolve) => s3Server?.close(resolve));
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function upload(file: string, key: string, contentType: string) {
    const context = await browser.newContext();
    const requests: { url: string; method: string }[] = [];
    context.on('request', (request) => requests.push({ url: request.url(), method: request.method() }));
    const page = await context.newPage();
    await page.goto(`${web.url}upload.html`);
    const url = await presignUpload({ bucket: BUCKET, key, contentType, s3 });
    await page.setInputFiles('#photo', join(FIXTURES_DIR, file));
    await page.fill('#url', url);
    await page.click('button[type="submit"]');
    await page.waitForFunction(() => /^(Uploaded|Refused|Upload failed)/.test(document.querySelector('output')?.textContent ?? ''), undefined, { timeout: 120_000 });
    const status = (await page.textContent('output')) ?? '';
    await context.close();
    return { status, requests };
  }

  async function stored(key: string): Promise<Uint8Array | undefined> {
    try {
      const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
      return await object.Body!.transformToByteArray();
    } catch {
      return undefined;
    }
  }

  it('PUTs only the clean copy: no metadata, no secret, the same pixels', async () => {
    // Prepare
    const entry = fixtureManifest().find((e) => e.file === 'jpeg/exif-gps-thumbnail.jpg')!;
    // Act
    const { status, requests } = await upload(entry.file, 'uploads/photo.jpg', 'image/jpeg');
    // Assess
    expect(status).toMatch(/^Uploaded the clean JPEG/);
    const object = await stored('uploads/photo.jpg');
    expect(object).toBeDefined();
    for (const secret of entry.secrets) expect(containsText(object!, secret), secret).toBe(false);
    expect((await exifrSeesImage(object!, 'jpeg')).groups).toEqual({});
    const input = new Uint8Array(readFileSync(join(FIXTURES_DIR, entry.file)));
    expect(samePixels(decodePixels(input, 'jpeg')!, decodePixels(object!, 'jpeg')!)).toBe(true);
    // The page's own assets by GET, and one PUT to the bucket.
    const pageOrigin = new URL(web.url).origin;
    const other = requests.filter((r) => !(r.method === 'GET' && new URL(r.url).origin === pageOrigin));
    expect(other.map((r) => `${r.method} ${new URL(r.url).origin}${new URL(r.url).pathname}`)).toEqual([`PUT ${s3Origin}/${BUCKET}/uploads/photo.jpg`]);
  });

  it('sends nothing when the photo cannot be cleaned', async () => {
    // Act
    const { status, requests } = await upload('broken/truncated-no-eoi.jpg', 'uploads/broken.jpg', 'image/jpeg');
    // Assess
    expect(status).toMatch(/^Refused, nothing uploaded: TRUNCATED/);
    expect(requests.filter((r) => r.method !== 'GET')).toEqual([]);
    expect(await stored('uploads/broken.jpg')).toBeUndefined();
  });
});
