// Regressions found by an adversarial review: each case once destroyed an original,
// failed a file it should have cleaned, or crashed with an internal error.
import { chownSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { POOL_MIN_BYTES, POOL_MIN_FILES } from '../src/pool.js';
import { makeJpeg } from './helpers/images.js';
import { run } from './helpers/run.js';
import { tempFolder } from './helpers/tmp.js';

describe('clean -o never replaces an input', () => {
  const work = tempFolder();

  it.each([
    ['the output folder is the input folder', ['photos', '-o', 'photos']],
    ['the output folder is the input folder, spelt differently', ['photos', '-o', './photos/../photos/']],
    ['the output folder is a symlink to the input folder', ['photos', '-o', 'photos-link']],
    ['a named file is cleaned into its own folder', ['photos/a.jpg', '-o', 'photos']],
    ['a named file is cleaned into its own folder through a symlink', ['photos-link/a.jpg', '-o', 'photos']],
    ['a walked file would land on another named input', ['photos/trip', 'photos/a.jpg', '-o', 'photos']],
  ])('refuses when %s (exit 2, inputs untouched, nothing written)', async (_what, args) => {
    // Prepare
    const folder = join(work, String(readdirSync(work).length));
    mkdirSync(join(folder, 'photos/trip'), { recursive: true });
    const a = makeJpeg({ seed: 1, comment: true });
    const b = makeJpeg({ seed: 2, comment: true });
    writeFileSync(join(folder, 'photos/a.jpg'), a);
    writeFileSync(join(folder, 'photos/trip/a.jpg'), b);
    symlinkSync('photos', join(folder, 'photos-link'));

    // Act
    const { code, stderr } = await run(['clean', ...args], { cwd: folder });

    // Assess
    expect(code).toBe(2);
    expect(stderr).toMatch(/would replace the input/);
    expect(readFileSync(join(folder, 'photos/a.jpg')).equals(a)).toBe(true);
    expect(readFileSync(join(folder, 'photos/trip/a.jpg')).equals(b)).toBe(true);
    expect(readdirSync(join(folder, 'photos')).sort()).toEqual(['a.jpg', 'trip']);
  });

  it('still cleans a named file into a subfolder of its own folder', async () => {
    // Prepare
    const folder = join(work, 'sub');
    mkdirSync(folder);
    writeFileSync(join(folder, 'a.jpg'), makeJpeg({ comment: true }));

    // Act
    const { code } = await run(['clean', 'a.jpg', '-o', 'clean'], { cwd: folder });

    // Assess
    expect(code).toBe(0);
    expect(existsSync(join(folder, 'clean/a.jpg'))).toBe(true);
  });

  it('never walks into its own output folder when the input is named through a symlink', async () => {
    // Prepare: a first run creates photos/out inside the input folder.
    const folder = join(work, 'linked-rerun');
    mkdirSync(join(folder, 'photos'), { recursive: true });
    writeFileSync(join(folder, 'photos/a.jpg'), makeJpeg({ comment: true }));
    symlinkSync('photos', join(folder, 'photos-link'));
    expect((await run(['clean', 'photos', '-o', 'photos/out'], { cwd: folder })).code).toBe(0);

    // Act
    const { code, stdout } = await run(['clean', 'photos-link', '-o', 'photos/out', '--json'], { cwd: folder });

    // Assess
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as { files: { path: string }[] }).files.map((f) => f.path)).toEqual([join('photos-link', 'a.jpg')]);
    expect(existsSync(join(folder, 'photos/out/out'))).toBe(false);
  });
});

describe('clean: awkward names and paths', () => {
  const work = tempFolder();

  it('cleans in place a file whose name is as long as the file system allows', async () => {
    // Prepare: 255 bytes is NAME_MAX on Linux and macOS; the temp file must not need more.
    const name = `${'x'.repeat(251)}.jpg`;
    const cjk = `${'東'.repeat(83)}.jpg`; // 249 + 4 bytes
    writeFileSync(join(work, name), makeJpeg({ comment: true }));
    writeFileSync(join(work, cjk), makeJpeg({ comment: true }));

    // Act
    const { code, stderr } = await run(['clean', '--in-place', name, cjk], { cwd: work });

    // Assess
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(readFileSync(join(work, name)).toString('latin1')).not.toContain('secret comment');
    expect(readFileSync(join(work, cjk)).toString('latin1')).not.toContain('secret comment');
  });

  it('treats a named symlink loop as a usage error, not an internal error', async () => {
    // Prepare
    symlinkSync('loop', join(work, 'loop'));

    // Act
    const results = await Promise.all(['clean', 'check', 'inspect'].map((command) => run([command, 'loop', ...(command === 'clean' ? ['--in-place'] : [])], { cwd: work })));

    // Assess
    for (const { code, stderr } of results) {
      expect(code).toBe(2);
      expect(stderr).toContain("cannot open 'loop': too many levels of symbolic links");
      expect(stderr).not.toContain('internal error');
    }
  });

  it('takes a file whose name starts with a dash after --', async () => {
    // Prepare
    writeFileSync(join(work, '-dash.jpg'), makeJpeg({ comment: true }));

    // Act
    const { code } = await run(['clean', '-o', 'dash-out', '--', '-dash.jpg'], { cwd: work });

    // Assess
    expect(code).toBe(0);
    expect(readdirSync(join(work, 'dash-out'))).toEqual(['-dash.jpg']);
  });
});

describe('clean --in-place: what the replaced file keeps', () => {
  const work = tempFolder();
  const asRoot = process.getuid?.() === 0;

  it.skipIf(!asRoot)('keeps the owner and group of a file it replaces as root (skipped: needs root to chown)', async () => {
    // Prepare
    const file = join(work, 'owned.jpg');
    writeFileSync(file, makeJpeg({ comment: true }), { mode: 0o640 });
    chownSync(file, 65534, 65534);

    // Act
    const { code } = await run(['clean', '--in-place', file]);

    // Assess
    expect(code).toBe(0);
    const after = statSync(file);
    expect([after.uid, after.gid, after.mode & 0o777]).toEqual([65534, 65534, 0o640]);
    expect(readFileSync(file).toString('latin1')).not.toContain('secret comment');
  });

  it('replaces only the name given: another hard link keeps the original bytes (documented)', async () => {
    // Prepare
    const file = join(work, 'linked.jpg');
    const original = makeJpeg({ comment: true });
    writeFileSync(file, original);
    linkSync(file, join(work, 'other-name.jpg'));

    // Act
    const { code } = await run(['clean', '--in-place', file]);

    // Assess
    expect(code).toBe(0);
    expect(readFileSync(file).toString('latin1')).not.toContain('secret comment');
    expect(readFileSync(join(work, 'other-name.jpg')).equals(original)).toBe(true);
  });
});

describe('text reports never pass control characters from files to the terminal', () => {
  const work = tempFolder();

  it('inspect shows a metadata value holding an escape sequence without the escape character', async () => {
    // Prepare: the EXIF Artist "Jane Doe" becomes "ESC[2J" (clear screen) + "pwn!", same length.
    const bytes = Buffer.from(makeJpeg().toString('latin1').replaceAll('Jane Doe', '\x1b[2Jpwn!'), 'latin1');
    writeFileSync(join(work, 'escape.jpg'), bytes);

    // Act
    const { code, stdout } = await run(['inspect', 'escape.jpg'], { cwd: work });

    // Assess
    expect(code).toBe(0);
    expect(stdout).toMatch(/Artist: .*pwn!/);
    expect(stdout).not.toContain('\x1b');
  });

  it('clean --verbose shows a file name holding an escape sequence escaped', async () => {
    // Prepare
    const name = 'b\x1b]0;owned\x07.jpg';
    writeFileSync(join(work, name), makeJpeg({ comment: true }));

    // Act
    const { code, stdout } = await run(['clean', '-v', name, '-o', 'escaped-out'], { cwd: work });

    // Assess
    expect(code).toBe(0);
    expect(stdout).toContain('b\\x1b]0;owned\\x07.jpg -> ');
    expect(stdout).not.toMatch(/[\x07\x1b]/);
  });

  it('check shows a file name with a newline on one line, so it cannot forge a verdict', async () => {
    // Prepare
    const name = 'a.jpg\nAll 2 images clean.';
    writeFileSync(join(work, name), makeJpeg({ comment: true }));

    // Act
    const { code, stdout } = await run(['check', name], { cwd: work });

    // Assess
    expect(code).toBe(1);
    expect(stdout.split('\n')[0]).toMatch(/^a\.jpg\\nAll 2 images clean\.: \d+ removable items/);
    expect(stdout).not.toMatch(/^All 2 images clean/m);
  });
});

describe('help matches behaviour', () => {
  it.each(['clean', 'check'])('%s --help states both thresholds of the automatic worker pool', async (command) => {
    // Act
    const { code, stdout } = await run([command, '--help']);

    // Assess
    expect(code).toBe(0);
    expect(stdout.replace(/\s+/g, ' ')).toContain(`more than ${POOL_MIN_FILES} files totalling ${POOL_MIN_BYTES / 1024 / 1024} MiB or more`);
  });
});
