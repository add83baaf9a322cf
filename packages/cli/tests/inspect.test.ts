import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeJpeg, makePng, SECRETS } from './helpers/images.js';
import { run } from './helpers/run.js';
import { tempFolder } from './helpers/tmp.js';

interface InspectJson {
  command: string;
  ok: boolean;
  files: Array<{
    path: string;
    status: string;
    format?: string;
    size?: number;
    orientation?: number;
    metadata?: { gps?: { latitude: number; longitude: number; altitude?: number }; fields: { group: string; tag: string; value: string }[] } | null;
    removable?: { kind: string; container: string; offset: number; length: number; label?: string }[];
    kept?: { kind: string }[];
    code?: string;
  }>;
}

describe('inspect', () => {
  const work = tempFolder();

  beforeAll(() => {
    writeFileSync(join(work, 'camera.jpg'), makeJpeg({ orientation: 6, comment: true, xmp: true, icc: true, trailer: true }));
    writeFileSync(join(work, 'text.png'), makePng());
  });

  it('shows GPS, camera, serial, dates, software and author, and what clean removes or keeps', async () => {
    const { code, stdout } = await run(['inspect', 'camera.jpg'], { cwd: work });
    expect(code).toBe(0);
    expect(stdout).toMatch(/^camera\.jpg: JPEG, [\d.]+ k?B, orientation 6 \(rotated 90° clockwise\)$/m);
    expect(stdout).toMatch(/GPS\s+52\.52009\d, 13\.400000, altitude 34 m/);
    for (const value of [SECRETS.make, SECRETS.model, SECRETS.serial, SECRETS.taken, SECRETS.software, SECRETS.artist, SECRETS.copyright, SECRETS.xmpCreator]) {
      expect(stdout).toContain(value);
    }
    expect(stdout).toMatch(/^ {4}remove {2}APP1 Exif\s+exif\s/m);
    expect(stdout).toMatch(/^ {4}remove {2}COM\s+comment\s/m);
    expect(stdout).toMatch(/^ {4}remove {2}trailer\b/m);
    expect(stdout).toMatch(/^ {4}keep {4}APP2 ICC_PROFILE 1\/1\s+icc\s/m);
    expect(stdout).toMatch(/^ {2}clean would remove 4 containers \([\d.]+ k?B\) and keep \d+ containers\.$/m);
  });

  it('names what a PNG carries in its text chunks', async () => {
    const { code, stdout } = await run(['inspect', 'text.png'], { cwd: work });
    expect(code).toBe(0);
    expect(stdout).toMatch(/^text\.png: PNG, /m);
    expect(stdout.match(/^ {4}remove {2}tEXt\b.*\btext\b/gm)).toHaveLength(2);
    expect(stdout).toMatch(/^ {2}clean would remove 2 containers \(78 B\)\.$/m);
  });

  it('--no-keep-color-profile moves the ICC profile to remove', async () => {
    const { stdout } = await run(['inspect', 'camera.jpg', '--no-keep-color-profile'], { cwd: work });
    expect(stdout).toMatch(/^ {4}remove {2}APP2 ICC_PROFILE 1\/1/m);
    expect(stdout).toContain('(with --no-keep-color-profile)');
  });

  it('--json: decoded metadata plus every container with its position', async () => {
    const { code, stdout } = await run(['inspect', 'camera.jpg', 'text.png', '--json'], { cwd: work });
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as InspectJson;
    expect(report.command).toBe('inspect');
    expect(report.ok).toBe(true);
    const [jpegReport, pngReport] = report.files;
    expect(jpegReport).toMatchObject({ path: 'camera.jpg', status: 'inspected', format: 'jpeg', orientation: 6 });
    expect(jpegReport.metadata?.gps?.latitude).toBeCloseTo(SECRETS.latitude, 5);
    expect(jpegReport.metadata?.gps?.altitude).toBe(34);
    expect(jpegReport.metadata?.fields).toEqual(
      expect.arrayContaining([
        { group: 'camera', tag: 'Make', value: SECRETS.make },
        { group: 'camera', tag: 'SerialNumber', value: SECRETS.serial },
        { group: 'dates', tag: 'DateTimeOriginal', value: SECRETS.taken },
        { group: 'software', tag: 'Software', value: SECRETS.software },
        { group: 'author', tag: 'Artist', value: SECRETS.artist },
        { group: 'author', tag: 'creator', value: SECRETS.xmpCreator },
      ]),
    );
    expect(jpegReport.removable?.map((item) => item.kind).sort()).toEqual(['comment', 'exif', 'trailer', 'xmp']);
    expect(jpegReport.kept?.map((item) => item.kind)).toEqual(expect.arrayContaining(['icc', 'orientation']));
    const trailer = jpegReport.removable?.find((item) => item.kind === 'trailer');
    expect(trailer!.offset + trailer!.length).toBe(jpegReport.size);
    expect(pngReport).toMatchObject({ path: 'text.png', format: 'png' });
    expect(pngReport.removable?.filter((item) => item.kind === 'text')).toHaveLength(2);
  });

  it('reports a file it cannot read, goes on with the others, and exits 1', async () => {
    writeFileSync(join(work, 'notes.txt'), 'plain text');
    const { code, stdout, stderr } = await run(['inspect', 'notes.txt', 'text.png'], { cwd: work });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^notes\.txt: cannot inspect: UNSUPPORTED_FORMAT: /m);
    expect(stdout).toMatch(/^text\.png: PNG/m);
  });
});
