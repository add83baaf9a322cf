import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectFormat, inspectImage, MIME_TYPES, SanitizeError, sanitizeImage } from '../src/index.js';
import { baseJpeg, basePng, concat, jpegSegment, jpegWith, ascii } from './build.js';

describe('detectFormat', () => {
  it.each([
    ['jpeg', [0xff, 0xd8, 0xff, 0xe0]],
    ['png', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
    ['gif', [...ascii('GIF89a')]],
    ['webp', [...ascii('RIFF'), 0, 0, 0, 0, ...ascii('WEBPVP8 ')]],
    ['tiff', [0x49, 0x49, 0x2a, 0x00]],
    ['tiff', [0x4d, 0x4d, 0x00, 0x2a]],
    ['heic', [0, 0, 0, 24, ...ascii('ftypheic'), 0, 0, 0, 0, ...ascii('mif1heic')]],
    ['avif', [0, 0, 0, 24, ...ascii('ftypavif'), 0, 0, 0, 0, ...ascii('mif1avif')]],
  ])('detects %s', (format, bytes) => {
    expect(detectFormat(Uint8Array.from(bytes))).toBe(format);
  });

  it('returns undefined and never throws for anything else', () => {
    for (const input of [new Uint8Array(0), Uint8Array.from([0xff, 0xd8]), ascii('hello world'), 'not bytes', null, undefined, 42]) {
      expect(detectFormat(input as Uint8Array)).toBeUndefined();
    }
  });
});

describe('public boundary', () => {
  it('throws SanitizeError INVALID_ARGUMENT naming the argument', () => {
    expect(() => sanitizeImage('x' as unknown as Uint8Array)).toThrow(/`input`/);
    expect(() => sanitizeImage(baseJpeg(), { keepOrientation: 'yes' as unknown as boolean })).toThrow(/keepOrientation/);
    try {
      sanitizeImage(null as unknown as Uint8Array);
    } catch (error) {
      expect(error).toBeInstanceOf(SanitizeError);
      expect((error as SanitizeError).code).toBe('INVALID_ARGUMENT');
      expect((error as SanitizeError).name).toBe('SanitizeError');
    }
  });

  it('refuses a recognised format it cannot read, with the format', () => {
    try {
      sanitizeImage(concat([0x49, 0x49, 0x2a, 0x00], new Uint8Array(20))); // a TIFF header whose IFD0 offset is 0
      expect.unreachable();
    } catch (error) {
      expect((error as SanitizeError).code).toBe('MALFORMED');
      expect((error as SanitizeError).format).toBe('tiff');
    }
  });

  it('refuses a camera raw DNG as UNSUPPORTED_FORMAT, with the format', () => {
    const dng = concat([0x49, 0x49, 0x2a, 0x00, 8, 0, 0, 0], [1, 0], [0x12, 0xc6, 1, 0, 4, 0, 0, 0, 1, 4, 0, 0], [0, 0, 0, 0]); // IFD0: DNGVersion 1.4
    try {
      sanitizeImage(dng);
      expect.unreachable();
    } catch (error) {
      expect((error as SanitizeError).code).toBe('UNSUPPORTED_FORMAT');
      expect((error as SanitizeError).format).toBe('tiff');
    }
  });

  it('does not modify its input and returns a fresh buffer', () => {
    const input = jpegWith(jpegSegment(0xfe, 'comment'));
    const copy = input.slice();
    const result = sanitizeImage(input);
    expect(Buffer.from(input).equals(Buffer.from(copy))).toBe(true);
    expect(result.bytes.buffer).not.toBe(input.buffer);
  });

  it('inspectImage reports what sanitizeImage would remove, without changing anything', () => {
    const input = jpegWith(jpegSegment(0xfe, 'comment'));
    const report = inspectImage(input);
    expect(report).toMatchObject({ format: 'jpeg', size: input.length });
    expect(report.removable).toEqual(sanitizeImage(input).removed);
    expect(inspectImage(basePng()).removable).toEqual([]);
    expect(MIME_TYPES[report.format]).toBe('image/jpeg');
  });
});

describe('package build', () => {
  const dist = join(__dirname, '..', 'dist');

  it('ships ESM, CJS and type declarations that load', async () => {
    const esm = await import(join(dist, 'index.js'));
    const cjs = createRequire(import.meta.url)(join(dist, 'index.cjs'));
    for (const api of [esm, cjs]) {
      expect(typeof api.sanitizeImage).toBe('function');
      expect(api.sanitizeImage(baseJpeg()).format).toBe('jpeg');
    }
    expect(readdirSync(dist)).toEqual(expect.arrayContaining(['index.d.ts', 'index.d.cts']));
  });

  it('has zero runtime dependencies, no Buffer and no node: imports', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8'));
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(pkg.sideEffects).toBe(false);
    for (const file of ['index.js', 'index.cjs']) {
      const code = readFileSync(join(dist, file), 'utf8');
      expect(code).not.toMatch(/\bBuffer\b/);
      expect(code).not.toMatch(/from ['"]node:|require\(['"]node:|require\(['"](fs|path|zlib|crypto)['"]\)/);
    }
  });
});

describe('examples/', () => {
  it('compile against the published types', () => {
    const { spawnSync } = createRequire(import.meta.url)('node:child_process') as typeof import('node:child_process');
    const root = join(__dirname, '..', '..', '..');
    const run = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'examples', 'tsconfig.json')], {
      encoding: 'utf8',
    });
    expect(run.stdout + run.stderr).toBe('');
    expect(run.status).toBe(0);
    // A timeout, not a timed test: tsc over aws-cdk-lib's declarations takes 16 s of CPU, 70 s on a loaded machine.
  }, 180_000);
});
