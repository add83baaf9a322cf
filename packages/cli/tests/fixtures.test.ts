import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import exifr from 'exifr';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodePixels, exifSource } from './helpers/decoders.js';
import { run } from './helpers/run.js';
import { tempFolder } from './helpers/tmp.js';

/** One entry of the repository's fixtures/manifest.json (see fixtures/README.md). */
interface FixtureEntry {
  file: string;
  format: 'jpeg' | 'png' | 'webp' | 'gif' | 'tiff' | 'heic' | 'avif' | null;
  secrets: string[];
  secretsUtf16?: string[];
  expect: 'clean' | 'reject';
  code?: string;
  orientation: number;
  icc: boolean;
  decodable: boolean;
}

interface CleanJson {
  files: Array<{ path: string; status: string; code?: string; kept?: { kind: string }[] }>;
}

const fixturesDir = fileURLToPath(new URL('../../../fixtures', import.meta.url));
const manifestPath = join(fixturesDir, 'manifest.json');
const haveFixtures = existsSync(manifestPath);
const manifest: FixtureEntry[] = haveFixtures ? JSON.parse(readFileSync(manifestPath, 'utf8')) : [];
const cleanEntries = manifest.filter((e) => e.expect === 'clean');

function utf16be(text: string): Buffer {
  return Buffer.from(text, 'utf16le').swap16();
}

const title = haveFixtures
  ? 'the repository fixtures (fixtures/manifest.json)'
  : 'the repository fixtures: SKIPPED, fixtures/manifest.json is missing (run `npm run fixtures`)';

describe.skipIf(!haveFixtures)(title, () => {
  const work = tempFolder();
  const copy = join(work, 'fixtures');
  let report: CleanJson;
  let code: number | null;

  beforeAll(async () => {
    // Prepare: a private copy, cleaned in place, every file named explicitly so non-images are rejections.
    cpSync(fixturesDir, copy, { recursive: true });
    // Act
    const result = await run(['clean', '--in-place', '--json', ...manifest.map((e) => e.file)], { cwd: copy });
    code = result.code;
    report = JSON.parse(result.stdout) as CleanJson;
  });

  it('exits 1 because the manifest lists files to reject', () => {
    expect(manifest.some((e) => e.expect === 'reject')).toBe(true);
    expect(code).toBe(1);
  });

  it.each(manifest.map((e) => [e.file, e] as const))('%s', async (file, entry) => {
    const result = report.files.find((f) => f.path === file);
    const now = readFileSync(join(copy, file));
    const original = readFileSync(join(fixturesDir, file));
    if (entry.expect === 'reject') {
      expect(result).toMatchObject({ status: 'error', code: entry.code });
      expect(now.equals(original), 'a rejected file stays byte-for-byte as it was').toBe(true);
      return;
    }
    expect(result?.status).toBe('cleaned');
    for (const secret of entry.secrets) expect(now.includes(Buffer.from(secret)), secret).toBe(false);
    for (const secret of entry.secretsUtf16 ?? []) expect(now.includes(utf16be(secret)), secret).toBe(false);
    if (entry.decodable) expect(decodePixels(entry.format!, now).equals(decodePixels(entry.format!, original)), 'same pixels').toBe(true);
    if (entry.orientation !== 1) {
      const tags = (await exifr.parse(exifSource(entry.format!, now)!, { tiff: true, translateValues: false })) as Record<string, unknown> | undefined;
      expect(tags?.Orientation).toBe(entry.orientation);
    }
    if (entry.icc) expect(result?.kept?.map((item) => item.kind)).toContain('icc');
  });

  it('check: exit 1 on the dirty originals, 0 on the cleaned copies', async () => {
    const cleanFiles = cleanEntries.map((e) => e.file);
    const dirty = await run(['check', ...cleanFiles], { cwd: fixturesDir });
    expect(dirty.code).toBe(1);
    for (const entry of cleanEntries.filter((e) => e.secrets.length > 0)) expect(dirty.stdout).toContain(`${entry.file}: `);
    const clean = await run(['check', ...cleanFiles], { cwd: copy });
    expect(clean.stderr).toBe('');
    expect(clean.stdout.trim()).toBe(`All ${cleanFiles.length} images clean.`);
    expect(clean.code).toBe(0);
  });

  it('inspect reads every image the sanitizer accepts', async () => {
    const { code: inspectCode, stdout } = await run(['inspect', '--json', ...cleanEntries.map((e) => e.file)], { cwd: fixturesDir });
    expect(inspectCode).toBe(0);
    const files = (JSON.parse(stdout) as { files: { status: string }[] }).files;
    expect(files).toHaveLength(cleanEntries.length);
    expect(files.every((f) => f.status === 'inspected')).toBe(true);
  });
});
