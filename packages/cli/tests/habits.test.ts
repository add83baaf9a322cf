// The habits of linters and ExifTool, run against the built binary: what a CI job
// or a shell pipeline expects from a command-line tool.
import { spawn } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import exifr from 'exifr';
import { describe, expect, it } from 'vitest';
import { decodeJpegPixels, makeJpeg, SECRETS } from './helpers/images.js';
import { BIN, run } from './helpers/run.js';
import { tempFolder } from './helpers/tmp.js';

interface JsonReport {
  schemaVersion: number;
  command: string;
  ok: boolean;
  summary: Record<string, number>;
  files: Array<Record<string, unknown> & { path: string; status: string }>;
}

/** The one status vocabulary of every command's `--json` report (see the CLI README). */
const STATUSES = ['cleaned', 'clean', 'dirty', 'inspected', 'skipped', 'error'];

/** Run the binary with `input` on its standard input; stdout comes back as bytes. */
function runWithStdin(args: readonly string[], input: Buffer, cwd: string): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr }));
    child.stdin.end(input);
  });
}

const work = tempFolder();
const dirty = makeJpeg({ comment: true, xmp: true });
writeFileSync(join(work, 'photo.jpg'), dirty);
mkdirSync(join(work, 'empty'));
mkdirSync(join(work, 'notes'));
writeFileSync(join(work, 'notes/readme.md'), '# not an image');

describe('a path that finds nothing is a usage error (exit 2) unless --allow-empty', () => {
  it.each(['check', 'inspect'])('%s on an empty folder, and on a folder of non-images', async (command) => {
    for (const folder of ['empty', 'notes']) {
      const { code, stdout, stderr } = await run([command, folder], { cwd: work });
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toContain(`no images found in '${folder}' (--allow-empty accepts that)`);
    }
  });

  it('clean on an empty folder writes nothing and exits 2', async () => {
    const { code, stderr } = await run(['clean', 'empty', '-o', 'never'], { cwd: work });
    expect(code).toBe(2);
    expect(stderr).toContain("no images found in 'empty'");
    expect(existsSync(join(work, 'never'))).toBe(false);
  });

  it('--allow-empty makes an empty folder a success', async () => {
    const check = await run(['check', 'empty', '--allow-empty'], { cwd: work });
    expect(check.code).toBe(0);
    expect(check.stdout.trim()).toBe('No images found.');
    const clean = await run(['clean', 'empty', '-o', 'empty-out', '--allow-empty', '--json'], { cwd: work });
    expect(clean.code).toBe(0);
    expect((JSON.parse(clean.stdout) as JsonReport).summary).toMatchObject({ cleaned: 0, error: 0 });
  });

  it('a single mistyped path exits 2, even with --allow-empty', async () => {
    const { code, stderr } = await run(['check', 'phtos/', '--allow-empty'], { cwd: work });
    expect(code).toBe(2);
    expect(stderr).toContain("cannot find 'phtos/'");
  });
});

describe('a missing path among several is reported and the rest still processed (exit 1)', () => {
  it('clean writes the files it found', async () => {
    const { code, stdout, stderr } = await run(['clean', 'missing.jpg', 'photo.jpg', '-o', 'partial'], { cwd: work });
    expect(code).toBe(1);
    expect(stdout).toContain('Cleaned 1 image into partial');
    expect(stderr).toContain('missing.jpg: NOT_FOUND: no such file or folder');
    expect(readdirSync(join(work, 'partial'))).toEqual(['photo.jpg']);
  });

  it('check --json lists the missing path as an error beside the verdicts', async () => {
    const { code, stdout } = await run(['check', 'photo.jpg', 'missing.jpg', '--json'], { cwd: work });
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as JsonReport;
    expect(report.files.map((f) => [f.path, f.status, f.code])).toEqual([
      ['missing.jpg', 'error', 'NOT_FOUND'],
      ['photo.jpg', 'dirty', undefined],
    ]);
  });
});

describe('signals', () => {
  /**
   * Whether the process reads its standard input yet (Linux: fd 0 is in one of its
   * epoll sets). `check -` starts reading only after the CLI installed its handlers.
   */
  function readsStdin(pid: number): boolean {
    try {
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`) !== 'anon_inode:[eventpoll]') continue;
        if (/^tfd:\s+0\s/m.test(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'))) return true;
      }
    } catch {
      // The process is starting or gone: not yet.
    }
    return false;
  }

  const haveProc = existsSync('/proc/self/fdinfo');
  it.skipIf(!haveProc).each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)(haveProc ? '%s exits with %i (128 + its number)' : '%s: SKIPPED, no /proc to see when the CLI is running', async (name, expected) => {
    // Prepare: `check -` waits for standard input, which stays open.
    const child = spawn(process.execPath, [BIN, 'check', '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    while (!readsStdin(child.pid as number)) await new Promise((resolve) => setTimeout(resolve, 5));
    // Act
    child.kill(name);
    // Assess
    expect(await exited).toBe(expected);
    expect(stderr).toContain(`interrupted (${name})`);
  });
});

describe('names sort naturally', () => {
  it('p1, p2, p10 (not p1, p10, p2), in every command', async () => {
    mkdirSync(join(work, 'natural'));
    for (const name of ['p10.jpg', 'p2.jpg', 'p1.jpg', 'P3.jpg']) writeFileSync(join(work, 'natural', name), makeJpeg());
    const expected = ['P3.jpg', 'p1.jpg', 'p2.jpg', 'p10.jpg'].map((name) => join('natural', name));
    for (const args of [['check', 'natural', '--json'], ['inspect', 'natural', '--json'], ['clean', 'natural', '-o', 'natural-out', '--json']]) {
      const { stdout } = await run(args, { cwd: work });
      expect((JSON.parse(stdout) as JsonReport).files.map((f) => f.path)).toEqual(expected);
    }
  });
});

describe("'-' is standard input (and, for clean, standard output)", () => {
  it('clean - < in.jpg > out.jpg writes the cleaned image and nothing else', async () => {
    // Act
    const { code, stdout, stderr } = await runWithStdin(['clean', '-'], dirty, work);
    // Assess: the same bytes a file run writes, judged by independent readers.
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout.equals(readFileSync(join(work, 'partial/photo.jpg')))).toBe(true);
    expect(Buffer.from(decodeJpegPixels(stdout)).equals(Buffer.from(decodeJpegPixels(dirty)))).toBe(true);
    const text = stdout.toString('latin1');
    for (const secret of [SECRETS.make, SECRETS.comment, SECRETS.xmpCreator]) expect(text).not.toContain(secret);
    expect(await exifr.gps(stdout).catch(() => undefined)).toBeUndefined();
  });

  it('clean - on bytes that are not an image writes nothing to stdout and exits 1', async () => {
    const { code, stdout, stderr } = await runWithStdin(['clean', '-'], Buffer.from('not an image'), work);
    expect(code).toBe(1);
    expect(stdout.length).toBe(0);
    expect(stderr).toContain('-: UNSUPPORTED_FORMAT');
  });

  it('check - and inspect - read standard input', async () => {
    const check = await runWithStdin(['check', '-', '--json'], dirty, work);
    expect(check.code).toBe(1);
    expect((JSON.parse(check.stdout.toString()) as JsonReport).files).toMatchObject([{ path: '-', status: 'dirty' }]);
    const cleaned = (await runWithStdin(['clean', '-'], dirty, work)).stdout;
    expect((await runWithStdin(['check', '-'], cleaned, work)).code).toBe(0);
    const inspect = await runWithStdin(['inspect', '-', '--json'], dirty, work);
    expect(inspect.code).toBe(0);
    const [file] = (JSON.parse(inspect.stdout.toString()) as JsonReport).files;
    expect(file).toMatchObject({ path: '-', status: 'inspected', format: 'jpeg', size: dirty.length });
    expect((file.metadata as { fields: { tag: string; value: string }[] }).fields).toContainEqual(expect.objectContaining({ tag: 'Make', value: SECRETS.make }));
  });

  it.each([
    [['clean', '-', '-o', 'out'], 'takes neither -o nor --in-place'],
    [['clean', '-', '--json'], 'cannot also print --json'],
    [['check', '-', 'photo.jpg'], "'-' (standard input) cannot be combined with other paths"],
  ])('%j is a usage error', async (args, message) => {
    const { code, stderr } = await runWithStdin(args, dirty, work);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });
});

describe('--json: schemaVersion and one status vocabulary', () => {
  it('every command carries schemaVersion 1, statuses from one list and summary counts keyed by status', async () => {
    mkdirSync(join(work, 'mixed'));
    writeFileSync(join(work, 'mixed/a.jpg'), dirty);
    writeFileSync(join(work, 'mixed/b.jpg'), dirty.subarray(0, dirty.length - 40)); // truncated
    writeFileSync(join(work, 'mixed/c.txt'), 'text');
    const reports: JsonReport[] = [];
    for (const args of [['clean', 'mixed', '-o', 'mixed-out', '--json'], ['check', 'mixed', '--json'], ['inspect', 'mixed', '--json']]) {
      reports.push(JSON.parse((await run(args, { cwd: work })).stdout) as JsonReport);
    }
    for (const report of reports) {
      expect(report.schemaVersion).toBe(1);
      for (const file of report.files) expect(STATUSES).toContain(file.status);
      // A file that could not be processed is `error` with a code, in every command.
      expect(report.files.find((f) => f.path === join('mixed', 'b.jpg'))).toMatchObject({ status: 'error', code: 'TRUNCATED' });
      for (const status of new Set(report.files.map((f) => f.status))) {
        expect(report.summary[status], `${report.command} summary.${status}`).toBe(report.files.filter((f) => f.status === status).length);
      }
    }
    expect(reports.map((r) => r.summary)).toMatchObject([
      { cleaned: 1, skipped: 1, error: 1 },
      { clean: 0, dirty: 1, skipped: 1, error: 1 },
      { inspected: 1, error: 1 },
    ]);
  });
});

describe('--in-place on a file with several names (hard links)', () => {
  it('says which names still hold the original metadata', async () => {
    // Prepare: photo.jpg = twin.jpg (same folder) = elsewhere/copy.jpg
    const folder = join(work, 'links');
    mkdirSync(join(folder, 'elsewhere'), { recursive: true });
    writeFileSync(join(folder, 'photo.jpg'), dirty);
    linkSync(join(folder, 'photo.jpg'), join(folder, 'twin.jpg'));
    linkSync(join(folder, 'photo.jpg'), join(folder, 'elsewhere/copy.jpg'));
    const inode = statSync(join(folder, 'photo.jpg')).ino;
    // Act
    const { code, stdout, stderr } = await run(['clean', '--in-place', join(folder, 'photo.jpg'), '--json']);
    // Assess
    expect(code).toBe(0);
    expect(stderr).toContain(`warning: ${join(folder, 'photo.jpg')} was replaced, but 2 other names of the same file (hard links) still hold the original metadata: ${join(folder, 'twin.jpg')} and 1 name in other folders (list them with: find <mount point> -xdev -inum ${inode})`);
    expect((JSON.parse(stdout) as JsonReport).files[0].hardLinks).toEqual({ others: 2, unsanitized: [join(folder, 'twin.jpg')], elsewhere: 1, inode });
    expect(readFileSync(join(folder, 'photo.jpg')).toString('latin1')).not.toContain(SECRETS.comment);
    expect(readFileSync(join(folder, 'twin.jpg')).equals(dirty)).toBe(true);
    expect(readFileSync(join(folder, 'elsewhere/copy.jpg')).equals(dirty)).toBe(true);
  });

  it('says nothing when every name was cleaned in the same run', async () => {
    const folder = join(work, 'all-links');
    mkdirSync(folder);
    writeFileSync(join(folder, 'a.jpg'), dirty);
    linkSync(join(folder, 'a.jpg'), join(folder, 'b.jpg'));
    const { code, stderr } = await run(['clean', '--in-place', folder]);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    for (const name of ['a.jpg', 'b.jpg']) expect(readFileSync(join(folder, name)).toString('latin1')).not.toContain(SECRETS.comment);
  });
});

describe('clean -o into a folder that does not exist yet', () => {
  it('publishes the whole batch with one rename: interrupted, neither the folder nor its staging folder remains', async () => {
    // Prepare
    const folder = join(work, 'staged-in');
    mkdirSync(folder);
    for (let i = 0; i < 300; i++) writeFileSync(join(folder, `${i}.jpg`), makeJpeg({ seed: i % 3, comment: `#${i}` }));
    const staged = () => readdirSync(work).filter((name) => name.startsWith('.staged-out.') && name.endsWith('.image-sanitizer.tmp'));
    // Act: interrupt as soon as the staging folder shows up (or let it finish: the invariant holds either way).
    const child = spawn(process.execPath, [BIN, 'clean', folder, '-o', join(work, 'staged-out'), '--jobs', '1'], { stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let running = true;
    void exited.then(() => (running = false));
    while (running) {
      if (staged().length > 0) {
        child.kill('SIGINT');
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const code = await exited;
    // Assess
    expect([0, 130]).toContain(code);
    expect(staged()).toEqual([]);
    if (code === 130) expect(existsSync(join(work, 'staged-out'))).toBe(false);
    else expect(readdirSync(join(work, 'staged-out'))).toHaveLength(300);
  });

  it('creates no folder when nothing could be cleaned', async () => {
    mkdirSync(join(work, 'all-broken'));
    writeFileSync(join(work, 'all-broken/a.jpg'), dirty.subarray(0, 100));
    const { code } = await run(['clean', 'all-broken', '-o', 'broken-out'], { cwd: work });
    expect(code).toBe(1);
    expect(existsSync(join(work, 'broken-out'))).toBe(false);
    expect(readdirSync(work).filter((name) => name.includes('broken-out'))).toEqual([]);
  });
});
