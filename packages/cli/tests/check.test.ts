import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeJpeg, makePng } from './helpers/images.js';
import { run } from './helpers/run.js';
import { tempFolder } from './helpers/tmp.js';

interface CheckJson {
  command: string;
  ok: boolean;
  summary: { clean: number; dirty: number; error: number; skipped: number; workers: number };
  files: Array<{ path: string; status: string; code?: string; removable?: { kind: string }[] }>;
}

describe('check', () => {
  const work = tempFolder();

  beforeAll(async () => {
    mkdirSync(join(work, 'dirty/sub'), { recursive: true });
    writeFileSync(join(work, 'dirty/gps.jpg'), makeJpeg());
    writeFileSync(join(work, 'dirty/sub/text.png'), makePng());
    writeFileSync(join(work, 'dirty/sub/notes.md'), '# not an image');
    writeFileSync(join(work, 'icc.jpg'), makeJpeg({ exif: false, icc: true }));
    const { code } = await run(['clean', 'dirty', '-o', 'cleaned'], { cwd: work });
    expect(code).toBe(0);
  });

  it('exits 1 and lists every offender with what it carries', async () => {
    const { code, stdout } = await run(['check', 'dirty'], { cwd: work });
    expect(code).toBe(1);
    expect(stdout).toMatch(/^dirty\/gps\.jpg: 1 removable item: APP1 Exif$/m);
    expect(stdout).toMatch(/^dirty\/sub\/text\.png: 2 removable items: tEXt/m);
    expect(stdout).toContain('2 images of 2 carry removable metadata');
    expect(stdout).not.toContain('notes.md');
  });

  it("exits 0 on clean's output", async () => {
    const { code, stdout, stderr } = await run(['check', 'cleaned'], { cwd: work });
    expect(code).toBe(0);
    expect(stdout.trim()).toBe('All 2 images clean.');
    expect(stderr).toBe('');
  });

  it('judges with the same options as clean: an ICC profile is removable only with --no-keep-color-profile', async () => {
    expect((await run(['check', 'icc.jpg'], { cwd: work })).code).toBe(0);
    const strict = await run(['check', 'icc.jpg', '--no-keep-color-profile', '--json'], { cwd: work });
    expect(strict.code).toBe(1);
    const report = JSON.parse(strict.stdout) as CheckJson;
    expect(report.files[0].removable?.map((item) => item.kind)).toEqual(['icc']);
  });

  it('reports unreadable or invalid images and exits 1: it never vouches for a file it could not read', async () => {
    const whole = makeJpeg({ exif: false });
    writeFileSync(join(work, 'truncated.jpg'), whole.subarray(0, whole.length - 30));
    writeFileSync(join(work, 'anim.gif'), Buffer.concat([Buffer.from('GIF89a'), Buffer.alloc(20)]));
    const { code, stdout, stderr } = await run(['check', 'truncated.jpg', 'anim.gif', 'cleaned'], { cwd: work });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^truncated\.jpg: cannot check: TRUNCATED: /m);
    expect(stderr).toMatch(/^anim\.gif: cannot check: [A-Z_]+: /m); // unsupported or malformed, as the core decides
    expect(stdout).toContain('2 files could not be checked');
  });

  it('--json: one document with a summary and a verdict per file', async () => {
    const { code, stdout } = await run(['check', 'dirty', 'cleaned', '--json'], { cwd: work });
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as CheckJson;
    expect(report).toMatchObject({ command: 'check', ok: false, summary: { clean: 2, dirty: 2, error: 0, skipped: 1 } });
    expect(report.files.map((f) => [f.path, f.status])).toEqual([
      ['dirty/gps.jpg', 'dirty'],
      ['dirty/sub/notes.md', 'skipped'],
      ['dirty/sub/text.png', 'dirty'],
      ['cleaned/gps.jpg', 'clean'],
      ['cleaned/sub/text.png', 'clean'],
    ]);
  });

  it('checks a big batch on the worker pool with the same verdicts', async () => {
    mkdirSync(join(work, 'batch'));
    for (let i = 0; i < 40; i++) writeFileSync(join(work, `batch/${String(i).padStart(2, '0')}.jpg`), makeJpeg({ seed: i % 3, exif: i % 5 === 0 }));
    const pooled = JSON.parse((await run(['check', 'batch', '--json', '-j', '2'], { cwd: work })).stdout) as CheckJson;
    const single = JSON.parse((await run(['check', 'batch', '--json', '-j', '1'], { cwd: work })).stdout) as CheckJson;
    expect(pooled.files).toEqual(single.files);
    expect([pooled.summary.workers, single.summary.workers]).toEqual([2, 0]);
    expect(pooled.summary).toMatchObject({ dirty: 8, clean: 32 });
  });
});
