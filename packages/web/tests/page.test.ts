// The page in real headless Chromium (Debian's `chromium`, driven by playwright-core): fixture files go into the
// file input, the clean copies come out of the download links, and independent readers judge them (exifr for
// metadata, jpeg-js/pngjs/omggif/UTIF/libwebp for pixels, byte search for the planted secrets).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containsText, decodePixels, exifrSeesImage, samePixels } from '../../core/tests/judges.js';
import { FIXTURES_DIR, fixtureManifest } from '../../core/tests/load.js';
import { startServer } from '../server.mjs';
import { CHROMIUM, IN_CI, LAUNCH } from './chromium.js';

const WEB_DIR = join(import.meta.dirname, '..');
/** Screenshots land here (git-ignored); packages/web/screenshot.png is a copy kept for the README. */
const OUTPUT_DIR = join(WEB_DIR, 'test-output');

describe.runIf(CHROMIUM === undefined && IN_CI)('the web page in CI', () => {
  it('has Chromium to run in', () => {
    throw new Error('chromium is not installed: .ci/run must install it (apt-get install -y chromium)');
  });
});

interface Request {
  url: string;
  method: string;
}

const manifest = fixtureManifest();
const cleanFixtures = manifest.filter((entry) => entry.expect === 'clean');
const refusedFixtures = manifest.filter((entry) => entry.expect === 'reject');
/** Downloads checked per page (see the test that clicks them). */
const DOWNLOADS_PER_PAGE = 8;
const baseName = (file: string) => file.slice(file.lastIndexOf('/') + 1);

describe.skipIf(CHROMIUM === undefined)('the web page in Chromium', () => {
  let server: { url: string; close: () => Promise<void> };
  let browser: Browser;
  const requests: Request[] = [];

  async function openPage(viewport: { width: number; height: number }): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ acceptDownloads: true, viewport, deviceScaleFactor: 1 });
    context.on('request', (request) => requests.push({ url: request.url(), method: request.method() }));
    const page = await context.newPage();
    await page.goto(server.url);
    return { context, page };
  }

  async function chooseAndWait(page: Page, files: string[]): Promise<void> {
    await page.setInputFiles('#files', files.map((file) => join(FIXTURES_DIR, file)));
    await page.waitForFunction((count) => document.querySelectorAll('#results > li:not([data-state="working"])').length === count, files.length, { timeout: 150_000 });
  }

  beforeAll(async () => {
    if (!existsSync(join(WEB_DIR, 'dist', 'index.html'))) execFileSync(process.execPath, [join(WEB_DIR, 'build.mjs')], { stdio: 'inherit' });
    mkdirSync(OUTPUT_DIR, { recursive: true });
    server = await startServer({ port: 0 });
    browser = await chromium.launch(LAUNCH);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('serves the page with a Content-Security-Policy that forbids sending anything', async () => {
    // Prepare
    const { context, page } = await openPage({ width: 1280, height: 900 });
    const response = await page.request.get(server.url);
    // Act: the page itself tries to send a request (to its own origin, the most permissive case)
    const outcome = await page.evaluate(async () => {
      const violation = new Promise<string>((resolve) => document.addEventListener('securitypolicyviolation', (event) => resolve(event.effectiveDirective), { once: true }));
      const sent = await fetch('/index.html', { method: 'POST', body: 'x' }).then(
        () => 'sent',
        () => 'blocked',
      );
      return { sent, directive: await violation };
    });
    // Assess
    expect(response.headers()['content-security-policy']).toContain("connect-src 'none'");
    expect(outcome).toEqual({ sent: 'blocked', directive: 'connect-src' });
    await context.close();
  });

  it('cleans every fixture the core cleans: each download has no metadata and the same pixels', async () => {
    // Prepare
    const names = cleanFixtures.map((entry) => baseName(entry.file));
    expect(new Set(names).size).toBe(names.length); // cards are found by file name
    // Chromium stops honouring download clicks after about ten downloads from one page in quick
    // succession (its automatic-downloads limiter), so the fixtures go through fresh pages, a batch each.
    for (let from = 0; from < cleanFixtures.length; from += DOWNLOADS_PER_PAGE) {
      const batch = cleanFixtures.slice(from, from + DOWNLOADS_PER_PAGE);
      const { context, page } = await openPage({ width: 1280, height: 900 });
      // Act
      await chooseAndWait(page, batch.map((entry) => entry.file));
      // Assess
      for (const entry of batch) {
        const card = page.locator(`#results > li[data-file="${baseName(entry.file)}"]`);
        expect(await card.getAttribute('data-state'), entry.file).toBe('cleaned');
        const link = card.locator('a[download]');
        const [download] = await Promise.all([page.waitForEvent('download'), link.click()]).catch((error: Error) => {
          throw new Error(`${entry.file}: no download after a click on its link (${error.message})`);
        });
        const stem = baseName(entry.file).replace(/\.[^.]+$/, '');
        expect(download.suggestedFilename()).toBe(`${stem}-clean${baseName(entry.file).slice(stem.length)}`);
        const output = new Uint8Array(readFileSync(await download.path()));
        const input = new Uint8Array(readFileSync(join(FIXTURES_DIR, entry.file)));

        for (const secret of entry.secrets) expect(containsText(output, secret), `${entry.file}: ${secret}`).toBe(false);
        const seen = await exifrSeesImage(output, entry.format);
        expect(seen.groups, entry.file).toEqual({});
        expect(seen.hasThumbnail, entry.file).toBe(false);
        if (entry.orientation !== 1) expect(seen.orientation, entry.file).toBe(entry.orientation);
        if (entry.decodable) {
          const before = decodePixels(input, entry.format);
          const after = decodePixels(output, entry.format);
          expect(before, entry.file).toBeDefined();
          expect(after !== undefined && samePixels(before!, after), `${entry.file}: same pixels`).toBe(true);
        }
        // The page shows the sizes and what was removed.
        const text = await card.innerText();
        expect(text).toContain('before');
        expect(text).toContain('after');
    }
    await context.close();
    }
  });

  it('shows what a photo carries: GPS with a local map, camera and serial, dates, thumbnail', async () => {
    // Prepare
    const { context, page } = await openPage({ width: 1280, height: 900 });
    // Act
    await chooseAndWait(page, ['jpeg/exif-gps-thumbnail.jpg']);
    // Assess
    const card = page.locator('#results > li').first();
    const text = await card.innerText();
    expect(text).toMatch(/Location: \d+\.\d+° [NS], \d+\.\d+° [EW]/);
    expect(text).toContain('SECRET-EXIF-SERIAL-970700'); // the serial as the input carries it
    expect(text).toContain('Dates');
    expect(await card.locator('svg.map circle.marker').count()).toBe(1);
    expect(await card.locator('.thumbnail img').count()).toBe(1);
    expect(await card.locator('.items.removed li').count()).toBeGreaterThan(0);
    await context.close();
  });

  it('refuses every broken fixture with its reason and offers no download', async () => {
    // Prepare
    const { context, page } = await openPage({ width: 1280, height: 900 });
    // Act
    await chooseAndWait(page, refusedFixtures.map((entry) => entry.file));
    // Assess
    for (const entry of refusedFixtures) {
      const card = page.locator(`#results > li[data-file="${baseName(entry.file)}"]`);
      expect(await card.getAttribute('data-state'), entry.file).toBe('refused');
      expect(await card.locator('a').count(), entry.file).toBe(0);
      const reason = await card.locator('.reason').innerText();
      if (entry.code) expect(reason, entry.file).toContain(entry.code);
      expect(reason.length, entry.file).toBeGreaterThan(10);
    }
    await context.close();
  });

  it('is usable from the keyboard: Tab reaches the file input, then the download links', async () => {
    // Prepare
    const { context, page } = await openPage({ width: 1280, height: 900 });
    // Act
    await page.keyboard.press('Tab');
    const first = await page.evaluate(() => ({ id: document.activeElement?.id, label: document.querySelector('label[for="files"]')?.textContent }));
    await chooseAndWait(page, ['png/text-chunks.png']);
    await page.keyboard.press('Tab');
    const next = await page.evaluate(() => document.activeElement?.getAttribute('download'));
    // Assess
    expect(first).toEqual({ id: 'files', label: 'Choose photos' });
    expect(next).toBe('text-chunks-clean.png');
    await context.close();
  });

  it('looks right on a desktop and on a phone (screenshots in packages/web/test-output/)', async () => {
    const shown = ['jpeg/exif-gps-thumbnail.jpg', 'png/text-chunks.png', 'broken/truncated-no-eoi.jpg'];
    for (const [name, viewport] of [
      ['desktop', { width: 1280, height: 900 }],
      ['phone', { width: 390, height: 844 }],
    ] as const) {
      const { context, page } = await openPage(viewport);
      await chooseAndWait(page, shown);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, `${name}: no horizontal scrolling`).toBeLessThanOrEqual(0);
      await page.screenshot({ path: join(OUTPUT_DIR, `${name}.png`), fullPage: true });
      await context.close();
    }
  });

  it('made no request to another origin and no request but GET', () => {
    const origin = new URL(server.url).origin;
    expect(requests.length).toBeGreaterThan(0);
    const foreign = requests.filter((request) => new URL(request.url).origin !== origin || request.method !== 'GET');
    expect(foreign).toEqual([]);
  });
});
