import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import exifr from 'exifr';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeJpegPixels, decodePngPixels, makeJpeg, makePng, SECRETS } from './helpers/images.js';
import { run } from './helpers/run.js';
import { tempFolder } from './helpers/tmp.js';

const EXIFR_ALL = { tiff: true, exif: true, gps: true, xmp: true, iptc: true, icc: true, jfif: false, mergeOutput: true, reviveValues: false };

/** Every secret value a test image may carry, as it would appear in the file's bytes. */
const SECRET_STRINGS = [SECRETS.make, SECRETS.model, SECRETS.serial, SECRETS.software, SECRETS.artist, SECRETS.comment, SECRETS.xmpCreator, 'TRAILER'];

function expectNoSecrets(bytes: Buffer): void {
  const text = bytes.toString('latin1');
  for (const secret of SECRET_STRINGS) expect(text).not.toContain(secret);
}

interface CleanJson {
  command: string;
  ok: boolean;
  summary: Record<string, number>;
  files: Array<Record<string, unknown> & { path: string; status: string }>;
}

describe('clean -o <outdir> over a folder', () => {
  const work = tempFolder();
  const originals: Record<string, Buffer> = {};
  let result: Awaited<ReturnType<typeof run>>;
  let report: CleanJson;

  beforeAll(async () => {
    // Prepare
    const files: Record<string, Buffer> = {
      'photos/a.jpg': makeJpeg({ seed: 1, comment: true, xmp: true, trailer: true }),
      'photos/trip/b.jpeg': makeJpeg({ seed: 2, orientation: 6 }),
      'photos/trip/deep/c.png': makePng(3),
      'photos/README.txt': Buffer.from('not an image'),
      'photos/.git/d.jpg': makeJpeg({ seed: 4 }),
      'photos/node_modules/e.jpg': makeJpeg({ seed: 5 }),
    };
    for (const [name, bytes] of Object.entries(files)) {
      mkdirSync(join(work, name, '..'), { recursive: true });
      writeFileSync(join(work, name), bytes);
      originals[name] = bytes;
    }
    // Act
    result = await run(['clean', 'photos', '-o', 'out', '--json'], { cwd: work });
    report = JSON.parse(result.stdout) as CleanJson;
  });

  it('starts from inputs that do carry the secrets (so a no-op would fail)', async () => {
    const a = originals['photos/a.jpg'].toString('latin1');
    for (const secret of [SECRETS.make, SECRETS.comment, SECRETS.xmpCreator, 'TRAILER']) expect(a).toContain(secret);
    expect(((await exifr.parse(originals['photos/a.jpg'], EXIFR_ALL)) as Record<string, number>).latitude).toBeCloseTo(SECRETS.latitude, 4);
    expect(originals['photos/trip/deep/c.png'].toString('latin1')).toContain(SECRETS.comment);
  });

  it('exits 0 and keeps relative paths under the output folder', () => {
    expect(result.code).toBe(0);
    expect(existsSync(join(work, 'out/a.jpg'))).toBe(true);
    expect(existsSync(join(work, 'out/trip/b.jpeg'))).toBe(true);
    expect(existsSync(join(work, 'out/trip/deep/c.png'))).toBe(true);
  });

  it('skips non-images, hidden folders and node_modules, and writes nothing for them', () => {
    expect(existsSync(join(work, 'out/README.txt'))).toBe(false);
    expect(existsSync(join(work, 'out/.git'))).toBe(false);
    expect(existsSync(join(work, 'out/node_modules'))).toBe(false);
    expect(report.files.find((f) => f.path === join('photos', 'README.txt'))).toEqual({
      path: join('photos', 'README.txt'),
      status: 'skipped',
      reason: 'NOT_AN_IMAGE',
    });
  });

  it('leaves the inputs untouched', () => {
    for (const [name, bytes] of Object.entries(originals)) expect(readFileSync(join(work, name)).equals(bytes)).toBe(true);
  });

  it('removes every secret: exifr finds no GPS, camera, dates or authors, and no secret bytes remain', async () => {
    for (const name of ['out/a.jpg', 'out/trip/b.jpeg', 'out/trip/deep/c.png']) {
      const bytes = readFileSync(join(work, name));
      expectNoSecrets(bytes);
      const tags = ((await exifr.parse(bytes, EXIFR_ALL)) ?? {}) as Record<string, unknown>;
      for (const tag of ['latitude', 'Make', 'Model', 'BodySerialNumber', 'DateTimeOriginal', 'Software', 'Artist', 'Copyright', 'creator']) {
        expect(tags[tag], `${name} ${tag}`).toBeUndefined();
      }
    }
  });

  it('keeps the pixels identical (decoded with jpeg-js and pngjs)', () => {
    expect(decodeJpegPixels(readFileSync(join(work, 'out/a.jpg')))).toEqual(decodeJpegPixels(originals['photos/a.jpg']));
    expect(decodeJpegPixels(readFileSync(join(work, 'out/trip/b.jpeg')))).toEqual(decodeJpegPixels(originals['photos/trip/b.jpeg']));
    expect(decodePngPixels(readFileSync(join(work, 'out/trip/deep/c.png')))).toEqual(decodePngPixels(originals['photos/trip/deep/c.png']));
  });

  it('keeps the orientation by default', async () => {
    const tags = (await exifr.parse(readFileSync(join(work, 'out/trip/b.jpeg')), { tiff: true, translateValues: false })) as Record<string, unknown>;
    expect(tags.Orientation).toBe(6);
  });

  it('reports a JSON summary with every file, what was removed and kept', () => {
    expect(report.command).toBe('clean');
    expect(report.ok).toBe(true);
    expect(report.summary).toMatchObject({ cleaned: 3, changed: 3, skipped: 1, error: 0 });
    const a = report.files.find((f) => f.path === join('photos', 'a.jpg'));
    expect(a).toMatchObject({ status: 'cleaned', output: join('out', 'a.jpg'), format: 'jpeg', changed: true });
    const removedKinds = (a!.removed as { kind: string }[]).map((item) => item.kind);
    expect(removedKinds).toEqual(expect.arrayContaining(['exif', 'xmp', 'comment', 'trailer']));
    for (const item of a!.removed as Record<string, unknown>[]) {
      expect(item).toEqual(expect.objectContaining({ container: expect.any(String), offset: expect.any(Number), length: expect.any(Number) }));
    }
    expect(a!.bytesOut).toBe(readFileSync(join(work, 'out/a.jpg')).length);
    const png = report.files.find((f) => f.path === join('photos', 'trip', 'deep', 'c.png'));
    expect((png!.removed as { kind: string }[]).map((item) => item.kind)).toContain('text');
  });

  it('prints no progress bar when stderr is not a terminal', () => {
    expect(result.stderr).toBe('');
  });

  it('never walks into its own output folder on a second run', async () => {
    const again = await run(['clean', '.', '-o', 'out', '--json'], { cwd: work });
    const paths = (JSON.parse(again.stdout) as CleanJson).files.map((f) => f.path);
    expect(paths.some((p) => p.startsWith('out'))).toBe(false);
    expect(existsSync(join(work, 'out/out'))).toBe(false);
  });
});

describe('clean options and rejections', () => {
  const work = tempFolder();

  it('drops the ICC profile and orientation only when asked', async () => {
    writeFileSync(join(work, 'icc.jpg'), makeJpeg({ icc: true, orientation: 8 }));
    const kept = await run(['clean', 'icc.jpg', '-o', 'kept', '--json'], { cwd: work });
    const dropped = await run(['clean', 'icc.jpg', '-o', 'dropped', '--no-keep-color-profile', '--no-keep-orientation', '--json'], { cwd: work });
    expect([kept.code, dropped.code]).toEqual([0, 0]);
    const keptKinds = (JSON.parse(kept.stdout) as CleanJson).files[0].kept as { kind: string }[];
    expect(keptKinds.map((item) => item.kind)).toEqual(expect.arrayContaining(['icc', 'orientation']));
    const keptBytes = readFileSync(join(work, 'kept/icc.jpg'));
    expect(keptBytes.toString('latin1')).toContain('ICC_PROFILE');
    expect(((await exifr.parse(keptBytes, { tiff: true, translateValues: false })) as Record<string, unknown>).Orientation).toBe(8);

    const droppedBytes = readFileSync(join(work, 'dropped/icc.jpg'));
    expect(droppedBytes.toString('latin1')).not.toContain('ICC_PROFILE');
    expect(await exifr.parse(droppedBytes, { tiff: true })).toBeUndefined();
    expect(decodeJpegPixels(droppedBytes)).toEqual(decodeJpegPixels(keptBytes));
  });

  it('rejects a truncated image and a named non-image with their codes, writes neither, cleans the rest, exits 1', async () => {
    const whole = makeJpeg({ seed: 7 });
    writeFileSync(join(work, 'truncated.jpg'), whole.subarray(0, Math.floor(whole.length / 2)));
    writeFileSync(join(work, 'notes.txt'), 'hello');
    writeFileSync(join(work, 'good.jpg'), makeJpeg({ seed: 8 }));
    const json = await run(['clean', 'truncated.jpg', 'notes.txt', 'good.jpg', '-o', 'mixed', '--json'], { cwd: work });
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as CleanJson;
    expect(report.ok).toBe(false);
    expect(report.summary).toMatchObject({ cleaned: 1, error: 2 });
    expect(report.files.find((f) => f.path === 'truncated.jpg')).toMatchObject({ status: 'error', code: 'TRUNCATED' });
    expect(report.files.find((f) => f.path === 'notes.txt')).toMatchObject({ status: 'error', code: 'UNSUPPORTED_FORMAT' });
    expect(readdirSync(join(work, 'mixed'))).toEqual(['good.jpg']);

    const text = await run(['clean', 'truncated.jpg', 'notes.txt', 'good.jpg', '-o', 'mixed2'], { cwd: work });
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('Cleaned 1 image into mixed2');
    expect(text.stderr).toMatch(/Rejected 2 files, not written:\n {2}truncated\.jpg: TRUNCATED: .+\n {2}notes\.txt: UNSUPPORTED_FORMAT: /);
    expect(text.stderr).not.toMatch(/\n\s+at /);
  });

  it('rejects a walked file whose extension says image but whose bytes do not', async () => {
    mkdirSync(join(work, 'liar'));
    writeFileSync(join(work, 'liar/fake.png'), '<html>not found</html>');
    const { code, stdout } = await run(['clean', 'liar', '-o', 'liar-out', '--json'], { cwd: work });
    expect(code).toBe(1);
    expect((JSON.parse(stdout) as CleanJson).files[0]).toMatchObject({ status: 'error', code: 'UNSUPPORTED_FORMAT' });
  });

  it('skips symbolic links found in folders and says so', async () => {
    mkdirSync(join(work, 'links'));
    writeFileSync(join(work, 'links/real.jpg'), makeJpeg());
    symlinkSync('real.jpg', join(work, 'links/alias.jpg'));
    const { code, stdout } = await run(['clean', 'links', '-o', 'links-out'], { cwd: work });
    expect(code).toBe(0);
    expect(stdout).toContain('1 symbolic link (not followed)');
    expect(readdirSync(join(work, 'links-out'))).toEqual(['real.jpg']);
  });

  it('refuses two inputs that would overwrite each other in the output folder (exit 2, nothing written)', async () => {
    mkdirSync(join(work, 'x'));
    mkdirSync(join(work, 'y'));
    writeFileSync(join(work, 'x/same.jpg'), makeJpeg({ seed: 1 }));
    writeFileSync(join(work, 'y/same.jpg'), makeJpeg({ seed: 2 }));
    const { code, stderr } = await run(['clean', 'x/same.jpg', 'y/same.jpg', '-o', 'clash'], { cwd: work });
    expect(code).toBe(2);
    expect(stderr).toContain("would both be written to 'clash/same.jpg'");
    expect(existsSync(join(work, 'clash'))).toBe(false);
  });

  it('on a worker pool (--jobs 2) writes exactly what one thread writes', async () => {
    mkdirSync(join(work, 'batch'));
    for (let i = 0; i < 40; i++) writeFileSync(join(work, `batch/${String(i).padStart(2, '0')}.jpg`), makeJpeg({ seed: i % 3, comment: i % 2 === 0 ? `#${i}` : false }));
    const pooled = await run(['clean', 'batch', '-o', 'pooled', '--jobs', '2', '--json'], { cwd: work });
    const single = await run(['clean', 'batch', '-o', 'single', '--jobs', '1', '--json'], { cwd: work });
    expect([pooled.code, single.code]).toEqual([0, 0]);
    const strip = (stdout: string) => (JSON.parse(stdout) as CleanJson).files.map(({ output, ...rest }) => ({ ...rest, output: String(output).split('/').pop() }));
    expect(strip(pooled.stdout)).toEqual(strip(single.stdout));
    expect((JSON.parse(pooled.stdout) as CleanJson).summary.workers).toBe(2);
    expect((JSON.parse(single.stdout) as CleanJson).summary.workers).toBe(0);
    const names = readdirSync(join(work, 'pooled'));
    expect(names).toHaveLength(40);
    for (const name of names) expect(readFileSync(join(work, 'pooled', name)).equals(readFileSync(join(work, 'single', name)))).toBe(true);
  });

  it('chooses the pool by itself only for a big batch (> 32 files and >= 16 MiB)', async () => {
    // 40 small files: inline. The same with a 512 kB trailer each (20 MiB): one worker per core.
    const small = await run(['clean', 'batch', '-o', 'auto-small', '--json'], { cwd: work });
    expect((JSON.parse(small.stdout) as CleanJson).summary.workers).toBe(0);
    mkdirSync(join(work, 'heavy'));
    const padding = Buffer.alloc(512 * 1024, 0x5a);
    for (let i = 0; i < 40; i++) writeFileSync(join(work, `heavy/${i}.jpg`), Buffer.concat([makeJpeg({ seed: i % 3 }), padding]));
    const heavy = await run(['clean', 'heavy', '-o', 'auto-heavy', '--json'], { cwd: work });
    expect(heavy.code).toBe(0);
    const cores = availableParallelism();
    expect((JSON.parse(heavy.stdout) as CleanJson).summary.workers).toBe(cores > 1 ? Math.min(cores, 8) : 0);
    expect(readFileSync(join(work, 'auto-heavy/0.jpg')).length).toBeLessThan(10_000);
  });

  it('reports a folder it cannot list as rejected (exit 1) and cleans the rest', async () => {
    // Prepare: as root, run as `nobody` so the root-only folder is really unreadable.
    const asRoot = process.getuid?.() === 0;
    mkdirSync(join(work, 'locked/private'), { recursive: true });
    writeFileSync(join(work, 'locked/ok.jpg'), makeJpeg());
    writeFileSync(join(work, 'locked/private/hidden.jpg'), makeJpeg());
    chmodSync(join(work, 'locked/private'), asRoot ? 0o700 : 0o000);
    mkdirSync(join(work, 'locked-out'), { mode: 0o777 });
    chmodSync(join(work, 'locked-out'), 0o777);
    // Act
    const { code, stdout } = await run(['clean', 'locked', '-o', 'locked-out', '--json'], { cwd: work, ...(asRoot ? { uid: 65534, gid: 65534 } : {}) });
    chmodSync(join(work, 'locked/private'), 0o755);
    // Assess
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as CleanJson;
    expect(report.files).toEqual([
      expect.objectContaining({ path: join('locked', 'ok.jpg'), status: 'cleaned' }),
      { path: join('locked', 'private'), status: 'error', code: 'READ_FAILED', message: 'cannot list folder: permission denied' },
    ]);
    expect(readdirSync(join(work, 'locked-out'))).toEqual(['ok.jpg']);
  });

  it('gives cleaned copies the mode of their originals', async () => {
    writeFileSync(join(work, 'private.jpg'), makeJpeg(), { mode: 0o600 });
    await run(['clean', 'private.jpg', '-o', 'modes'], { cwd: work });
    expect(statSync(join(work, 'modes/private.jpg')).mode & 0o777).toBe(0o600);
  });
});

describe('clean -o over files of different sizes in one run', () => {
  const work = tempFolder();

  it('writes each copy as a run over that file alone does (the read buffer is reused from file to file)', async () => {
    // Prepare: a large file first, then smaller ones, so a later copy would carry leftovers of an earlier one.
    const specs = {
      'a.jpg': { width: 96, height: 96, seed: 1, comment: 'x'.repeat(4000), trailer: true },
      'b.jpg': { width: 16, height: 16, seed: 2 },
      'c.jpg': { width: 48, height: 32, seed: 3, xmp: true },
      'd.jpg': { width: 8, height: 8, seed: 4, exif: false, comment: true },
    };
    mkdirSync(join(work, 'sizes'));
    for (const [name, spec] of Object.entries(specs)) writeFileSync(join(work, 'sizes', name), makeJpeg(spec));
    // Act
    const batch = await run(['clean', 'sizes', '-o', 'sizes-out', '--jobs', '1', '--json'], { cwd: work });
    const alone = await Promise.all(Object.keys(specs).map((name) => run(['clean', join('sizes', name), '-o', `alone-${name}`], { cwd: work })));
    // Assess
    expect(batch.code).toBe(0);
    for (const result of alone) expect(result.code).toBe(0);
    const sizes = (JSON.parse(batch.stdout) as CleanJson).files.map((f) => [f.path, f.bytesIn]);
    expect(sizes).toEqual(Object.keys(specs).map((name) => [join('sizes', name), statSync(join(work, 'sizes', name)).size]));
    for (const name of Object.keys(specs)) {
      const copy = readFileSync(join(work, 'sizes-out', name));
      expect(copy.equals(readFileSync(join(work, `alone-${name}`, name))), name).toBe(true);
      expect(decodeJpegPixels(copy), name).toEqual(decodeJpegPixels(readFileSync(join(work, 'sizes', name))));
      expectNoSecrets(copy);
    }
  });
});
