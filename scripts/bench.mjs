// Benchmarks, side by side in one run (ratios, not absolute times):
//  1. sanitizeImage on a >= 20 MP JPEG and PNG carrying metadata, against
//     piexifjs.remove (JPEG) and a plain copy of the same bytes.
//  2. The CLI cleaning 500 JPEGs of 42 kB, against cp -r, exiv2 and exiftool (when installed): packages/cli/bench/clean-batch.mjs.
//  3. The Lambda bundle's cold start (init, and init + first invocation) against @aws-sdk/client-s3, with Lambda's environment (bench-coldstart.mjs).
// Usage: npm run bench            (BENCH_SKIP_CLI=1 to run only the core part)
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { sanitizeImage } from '../packages/core/dist/index.js';

const require = createRequire(import.meta.url);
const jpegJs = require('jpeg-js');
const piexif = require('piexifjs');
const { PNG } = require('pngjs');

const WIDTH = 5472; // 5472 x 3648 = 19.96 MP; 5480 x 3656 = 20.03 MP
const HEIGHT = 3656;
const cacheDir = join(tmpdir(), 'image-sanitizer-bench');
mkdirSync(cacheDir, { recursive: true });

/** A photo-like RGBA test card: gradients plus deterministic noise, so the codecs have real work. */
function pixels() {
  const data = new Uint8Array(WIDTH * HEIGHT * 4);
  let seed = 12345;
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      const noise = (seed >>> 24) & 15;
      const i = (y * WIDTH + x) * 4;
      data[i] = ((x * 255) / WIDTH + noise) & 0xff;
      data[i + 1] = ((y * 255) / HEIGHT + noise) & 0xff;
      data[i + 2] = ((x + y) & 0xff) ^ noise;
      data[i + 3] = 255;
    }
  }
  return data;
}

function cached(name, make) {
  const file = join(cacheDir, name);
  if (!existsSync(file)) {
    process.stdout.write(`generating ${name} (once, cached in ${cacheDir}) ... `);
    writeFileSync(file, make());
    console.log('done');
  }
  return new Uint8Array(readFileSync(file));
}

function exifBinary() {
  const thumb = jpegJs.encode({ data: new Uint8Array(160 * 120 * 4).fill(128), width: 160, height: 120 }, 70).data;
  return piexif.dump({
    '0th': { [piexif.ImageIFD.Make]: 'BenchCam', [piexif.ImageIFD.Model]: 'B-1', [piexif.ImageIFD.Orientation]: 6 },
    Exif: { [piexif.ExifIFD.DateTimeOriginal]: '2026:01:01 00:00:00', [piexif.ExifIFD.BodySerialNumber]: 'SN-123456' },
    GPS: { [piexif.GPSIFD.GPSLatitudeRef]: 'N', [piexif.GPSIFD.GPSLatitude]: [[52, 1], [31, 1], [0, 1]] },
    '1st': {},
    thumbnail: Buffer.from(thumb).toString('latin1'),
  });
}

function segment(marker, content) {
  const body = Buffer.from(content, 'latin1');
  return Buffer.concat([Buffer.from([0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 0xff]), body]);
}

const jpeg = cached('bench-20mp.jpg', () => {
  const plain = Buffer.from(jpegJs.encode({ data: pixels(), width: WIDTH, height: HEIGHT }, 90).data);
  const withExif = Buffer.from(piexif.insert(exifBinary(), plain.toString('latin1')), 'latin1');
  const xmp = segment(0xe1, `http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>${'x'.repeat(20000)}</x:xmpmeta>`);
  const com = segment(0xfe, 'bench comment');
  return Buffer.concat([withExif.subarray(0, 2), xmp, com, withExif.subarray(2), Buffer.alloc(500_000, 7)]); // + trailer
});

const png = cached('bench-20mp.png', () => {
  const image = new PNG({ width: WIDTH, height: HEIGHT });
  image.data = Buffer.from(pixels());
  const plain = PNG.sync.write(image, { deflateLevel: 1 });
  const chunk = (type, data) => {
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    out.write(type, 4, 'latin1');
    data.copy(out, 8);
    let c = 0xffffffff;
    for (const b of out.subarray(4, 8 + data.length)) {
      c ^= b;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    }
    out.writeUInt32BE((c ^ 0xffffffff) >>> 0, 8 + data.length);
    return out;
  };
  const text = chunk('tEXt', Buffer.from('Author\0bench', 'latin1'));
  const ztxt = chunk('zTXt', Buffer.concat([Buffer.from('Comment\0\0', 'latin1'), deflateSync('x'.repeat(10000))]));
  return Buffer.concat([plain.subarray(0, 33), text, ztxt, plain.subarray(33)]);
});

/** Median seconds of `runs` calls. */
function time(fn, runs) {
  fn(); // warm-up
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    fn();
    samples.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

const rows = [];
function measure(label, bytes, fn, runs) {
  const seconds = time(fn, runs);
  rows.push({ label, mb: bytes.length / 1e6, seconds });
  return seconds;
}

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const jpegString = Buffer.from(jpeg).toString('latin1'); // piexifjs works on binary strings; conversion not counted
const copyJpeg = measure('JPEG  plain copy (Uint8Array.slice)', jpeg, () => jpeg.slice(), RUNS);
// piexifjs takes and returns binary strings. Bytes in, bytes out (what a pipeline needs) means two conversions:
const piexifJpeg = measure('JPEG  piexifjs.remove, bytes in/out', jpeg, () => Buffer.from(piexif.remove(Buffer.from(jpeg.buffer, jpeg.byteOffset, jpeg.length).toString('latin1')), 'latin1'), RUNS);
// On a ready-made string it returns a lazily joined string (a V8 rope): no work proportional to the image.
const piexifString = measure('JPEG  piexifjs.remove, string only', jpeg, () => piexif.remove(jpegString), RUNS);
const oursJpeg = measure('JPEG  sanitizeImage', jpeg, () => sanitizeImage(jpeg), RUNS);
const copyPng = measure('PNG   plain copy (Uint8Array.slice)', png, () => png.slice(), RUNS);
const oursPng = measure('PNG   sanitizeImage', png, () => sanitizeImage(png), RUNS);

console.log(`\nsanitizeImage on ${((WIDTH * HEIGHT) / 1e6).toFixed(1)} MP images (median of ${RUNS} runs, Node ${process.version})`);
console.log('case                                   size MB   ms      MB/s');
for (const row of rows) {
  console.log(`${row.label.padEnd(38)} ${row.mb.toFixed(1).padStart(7)} ${(row.seconds * 1000).toFixed(1).padStart(7)} ${(row.mb / row.seconds).toFixed(0).padStart(8)}`);
}
const ratio = (a, b) => b / a; // speed of a relative to b = time(b) / time(a)
const results = [
  ['JPEG sanitizeImage vs piexifjs (bytes in/out)', ratio(oursJpeg, piexifJpeg), 1.0],
  ['JPEG sanitizeImage vs piexifjs (string only)', ratio(oursJpeg, piexifString), undefined],
  ['JPEG sanitizeImage vs plain copy', ratio(oursJpeg, copyJpeg), 0.05],
  ['PNG  sanitizeImage vs plain copy', ratio(oursPng, copyPng), 0.1],
];
console.log('\nratio (speed, higher is faster)              measured   target   met');
let allMet = true;
for (const [label, value, target] of results) {
  if (target === undefined) {
    console.log(`${label.padEnd(44)} ${value.toFixed(3).padStart(8)}x   (information: no bytes are produced)`);
    continue;
  }
  const met = value >= target;
  allMet &&= met;
  console.log(`${label.padEnd(44)} ${value.toFixed(3).padStart(8)}x ${(`>= ${target}x`).padStart(8)}   ${met ? 'yes' : 'NO'}`);
}

if (!process.env.BENCH_SKIP_HANDLER && spawnSync(process.execPath, [join(import.meta.dirname, 'bench-handler.mjs')], { stdio: 'inherit' }).status !== 0) allMet = false;
if (spawnSync(process.execPath, [join(import.meta.dirname, 'bench-bundle.mjs')], { stdio: 'inherit' }).status !== 0) allMet = false; // bundle sizes

if (!process.env.BENCH_SKIP_CLI) {
  const cliBench = join(import.meta.dirname, '..', 'packages', 'cli', 'bench', 'clean-batch.mjs');
  if (existsSync(cliBench)) {
    console.log('\nCLI batch benchmark');
    const run = spawnSync(process.execPath, [cliBench], { stdio: 'inherit' });
    if (run.status !== 0) allMet = false;
  } else {
    console.log('\nCLI batch benchmark: skipped (packages/cli/bench/clean-batch.mjs not found)');
  }
}
if (spawnSync(process.execPath, [join(import.meta.dirname, 'bench-coldstart.mjs')], { stdio: 'inherit' }).status !== 0) allMet = false;
if (!process.env.BENCH_SKIP_BACKFILL) spawnSync(process.execPath, [join(import.meta.dirname, 'bench-backfill.mjs')], { stdio: 'inherit' });
if (!process.env.BENCH_SKIP_STREAM && spawnSync(process.execPath, [join(import.meta.dirname, 'bench-stream.mjs')], { stdio: 'inherit' }).status !== 0) allMet = false; // issue #8
process.exit(allMet ? 0 : 1);
