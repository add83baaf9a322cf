import { spawn } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeJpeg } from './helpers/images.js';
import { BIN, run } from './helpers/run.js';
import { tempFolder } from './helpers/tmp.js';

const TEMP_SUFFIX = '.image-sanitizer.tmp';

function tempFilesIn(folder: string): string[] {
  return readdirSync(folder, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith(TEMP_SUFFIX));
}

describe('clean --in-place', () => {
  const work = tempFolder();

  it('replaces dirty files, keeps their mode, and leaves already-clean files untouched', async () => {
    // Prepare
    const folder = join(work, 'basic');
    mkdirSync(folder);
    writeFileSync(join(folder, 'dirty.jpg'), makeJpeg({ comment: true }), { mode: 0o640 });
    await run(['clean', join(folder, 'dirty.jpg'), '-o', join(work, 'basic-clean')]);
    writeFileSync(join(folder, 'clean.jpg'), readFileSync(join(work, 'basic-clean/dirty.jpg')));
    const before = { dirty: statSync(join(folder, 'dirty.jpg')), clean: statSync(join(folder, 'clean.jpg')) };
    // Act
    const { code, stdout } = await run(['clean', '--in-place', '--json', folder]);
    // Assess
    expect(code).toBe(0);
    const files = (JSON.parse(stdout) as { files: { path: string; changed: boolean; output: string }[] }).files;
    expect(files.map((f) => [f.path, f.changed, f.output === f.path])).toEqual([
      [join(folder, 'clean.jpg'), false, true],
      [join(folder, 'dirty.jpg'), true, true],
    ]);
    const after = { dirty: statSync(join(folder, 'dirty.jpg')), clean: statSync(join(folder, 'clean.jpg')) };
    expect(after.dirty.ino).not.toBe(before.dirty.ino); // replaced by rename
    expect(after.dirty.mode & 0o777).toBe(0o640);
    expect(readFileSync(join(folder, 'dirty.jpg')).equals(readFileSync(join(work, 'basic-clean/dirty.jpg')))).toBe(true);
    expect(after.clean.ino).toBe(before.clean.ino); // not rewritten
    expect(after.clean.mtimeMs).toBe(before.clean.mtimeMs);
    expect(tempFilesIn(folder)).toEqual([]);
  });

  it('replaces the file a named symlink points to and keeps the link', async () => {
    const folder = join(work, 'symlink');
    mkdirSync(folder);
    writeFileSync(join(folder, 'target.jpg'), makeJpeg({ comment: true }));
    symlinkSync('target.jpg', join(folder, 'link.jpg'));
    const { code } = await run(['clean', '--in-place', join(folder, 'link.jpg')]);
    expect(code).toBe(0);
    expect(lstatSync(join(folder, 'link.jpg')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(folder, 'link.jpg'))).toBe('target.jpg');
    expect(readFileSync(join(folder, 'target.jpg')).toString('latin1')).not.toContain('secret comment');
  });

  it('leaves a file it cannot sanitize exactly as it was, with no temp file', async () => {
    const folder = join(work, 'broken');
    mkdirSync(folder);
    const whole = makeJpeg();
    const truncated = whole.subarray(0, whole.length - 40);
    writeFileSync(join(folder, 'truncated.jpg'), truncated);
    const { code, stderr } = await run(['clean', '--in-place', folder]);
    expect(code).toBe(1);
    expect(stderr).toContain('truncated.jpg: TRUNCATED');
    expect(readFileSync(join(folder, 'truncated.jpg')).equals(truncated)).toBe(true);
    expect(tempFilesIn(folder)).toEqual([]);
  });

  it('in a folder it may not write to: rejects with WRITE_FAILED, originals intact, no temp files', async () => {
    // Prepare: root ignores permissions, so as root the binary runs as `nobody` on a root-owned folder.
    const folder = join(work, 'read-only');
    mkdirSync(folder, { mode: 0o755 });
    const original = makeJpeg({ comment: true });
    writeFileSync(join(folder, 'photo.jpg'), original, { mode: 0o644 });
    const asRoot = process.getuid?.() === 0;
    if (!asRoot) chmodSync(folder, 0o555);
    // Act
    const { code, stderr } = await run(['clean', '--in-place', join(folder, 'photo.jpg')], asRoot ? { uid: 65534, gid: 65534 } : {});
    if (!asRoot) chmodSync(folder, 0o755);
    // Assess
    expect(code).toBe(1);
    expect(stderr).toMatch(/photo\.jpg: WRITE_FAILED: cannot write .+: permission denied; the original is unchanged/);
    expect(readFileSync(join(folder, 'photo.jpg')).equals(original)).toBe(true);
    expect(tempFilesIn(folder)).toEqual([]);
  });

  it('interrupted by SIGINT: every file is either its original or fully cleaned, and no temp file remains', async () => {
    // Prepare: expected cleaned bytes come from an -o run of the same files.
    const folder = join(work, 'interrupt');
    mkdirSync(folder);
    const originals = new Map<string, Buffer>();
    for (let i = 0; i < 300; i++) {
      const name = `${String(i).padStart(3, '0')}.jpg`;
      const bytes = makeJpeg({ seed: i % 3, comment: `#${i}` });
      writeFileSync(join(folder, name), bytes);
      originals.set(name, bytes);
    }
    const reference = join(work, 'interrupt-reference');
    expect((await run(['clean', folder, '-o', reference])).code).toBe(0);

    // Act: interrupt as soon as a temp file shows up (or let it finish: the invariant holds either way).
    const child = spawn(process.execPath, [BIN, 'clean', '--in-place', '--jobs', '1', folder], { stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let running = true;
    void exited.then(() => (running = false));
    while (running) {
      if (tempFilesIn(folder).length > 0) {
        child.kill('SIGINT');
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const code = await exited;

    // Assess
    expect([0, 130]).toContain(code);
    expect(tempFilesIn(folder)).toEqual([]);
    // (A signal that lands after the last rename still exits 130, with every file cleaned:
    // the handlers stay installed until the process exits.)
    for (const [name, original] of originals) {
      const now = readFileSync(join(folder, name));
      const expected = readFileSync(join(reference, name));
      expect(now.equals(original) || now.equals(expected), name).toBe(true);
    }
  });
});
