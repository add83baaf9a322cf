// Streaming benchmarks (issue #8), side by side in one run; each measurement in a child process of its own
// so that its peak RSS is its own:
//  1. SanitizeStream vs sanitizeImage on 10 MiB, 100 MiB, 200 MiB and 1 GiB JPEGs: throughput and peak RSS
//     growth. Both read the file the same way, as a service receives an upload (fs stream through
//     Readable.toWeb, 64 KiB chunks); sanitizeImage gets the chunks collected into one buffer.
//  2. Floods through sanitizeImage, each hostile kind at 50 MiB: RSS growth / size and MB/s.
//  3. sanitizeImage on a 24 MP JPEG vs piexifjs.remove with bytes in and out, in interleaved rounds: median of
//     the per-round speed ratios.
// Usage: node scripts/bench-stream.mjs   (after npm run build; npm run bench runs it). BENCH_STREAM_SIZES=10,100
// picks the sizes in MiB; BENCH_STREAM_PARTS=piexif (or any of stream,floods,piexif) runs only those parts;
// BENCH_ROUNDS=41 sets the rounds of part 3. Inputs are generated once into the OS temp folder.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const here = fileURLToPath(import.meta.url);
const core = join(here, '..', '..', 'packages', 'core', 'dist', 'index.js');
const require = createRequire(import.meta.url);
const MiB = 1024 * 1024;
const cacheDir = join(tmpdir(), 'image-sanitizer-bench');
mkdirSync(cacheDir, { recursive: true });

// ---- child: one measurement ---------------------------------------------------------------------------------
if (process.argv[2] === '--child') {
  const [, , , kind, file] = process.argv;
  const { sanitizeImage, SanitizeStream } = await import(core);
  const size = statSync(file).size;
  let before;
  let out = 0;
  let start;
  // Both sides read the file as a service receives an upload: a web ReadableStream of 64 KiB chunks.
  const body = () => Readable.toWeb(createReadStream(file, { highWaterMark: 64 * 1024 }));
  if (kind === 'stream') {
    before = process.memoryUsage().rss;
    start = performance.now();
    const stream = new SanitizeStream();
    await body()
      .pipeThrough(stream)
      .pipeTo(new WritableStream({ write: (chunk) => void (out += chunk.length) }));
    await stream.result;
  } else if (kind === 'whole') {
    // sanitizeImage needs the whole body first: the chunks are collected into one buffer, as a service would.
    before = process.memoryUsage().rss;
    start = performance.now();
    const chunks = [];
    for await (const chunk of body()) chunks.push(chunk);
    out = sanitizeImage(Buffer.concat(chunks)).bytes.length;
  } else {
    // a flood: the input is in memory first; what is measured is what sanitizeImage adds
    const input = readFileSync(file);
    before = process.memoryUsage().rss;
    start = performance.now();
    out = sanitizeImage(input).bytes.length;
  }
  const seconds = (performance.now() - start) / 1000;
  const growth = process.resourceUsage().maxRSS * 1024 - before;
  process.stdout.write(JSON.stringify({ size, out, seconds, growth }));
  process.exit(0);
}

function child(kind, file) {
  const run = spawnSync(process.execPath, ['--max-old-space-size=8192', here, '--child', kind, file], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (run.status !== 0) throw new Error(`${kind} ${file}: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

// ---- inputs -------------------------------------------------------------------------------------------------
const jpegJs = require('jpeg-js');
const piexif = require('piexifjs');

function cachedFile(name, write) {
  const file = join(cacheDir, name);
  if (!existsSync(file)) {
    process.stdout.write(`generating ${name} (once, cached in ${cacheDir}) ... `);
    const fd = openSync(file, 'w');
    write((bytes) => writeSync(fd, bytes));
    closeSync(fd);
    console.log('done');
  }
  return file;
}

/** A small real JPEG (jpeg-js), split at its first scan: the header up to SOS included, and the EOI. */
function jpegParts() {
  const data = new Uint8Array(16 * 16 * 4).fill(128);
  const small = Buffer.from(jpegJs.encode({ data, width: 16, height: 16 }, 90).data);
  let at = 2;
  while (!(small[at] === 0xff && small[at + 1] === 0xda)) at += 2 + small.readUInt16BE(at + 2);
  const sosEnd = at + 2 + small.readUInt16BE(at + 2);
  return { head: small.subarray(0, sosEnd), soi: small.subarray(0, 2), afterSoi: small.subarray(2) };
}

const segment = (marker, text) => {
  const body = Buffer.from(text, 'latin1');
  return Buffer.concat([Buffer.from([0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 0xff]), body]);
};

/** A 1 MiB block of photo-like entropy-coded data: random bytes, each FF stuffed with 00, a restart marker now and then. */
function entropyBlock() {
  const out = Buffer.alloc(MiB);
  let seed = 987654321;
  let at = 0;
  while (at < MiB - 2) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const b = seed >>> 24;
    out[at++] = b;
    if (b === 0xff) out[at++] = 0x00;
  }
  out[MiB - 2] = 0x12;
  out[MiB - 1] = 0x34;
  return out;
}

function bigJpeg(mib) {
  return cachedFile(`stream-${mib}mib.jpg`, (write) => {
    const { head } = jpegParts();
    write(head.subarray(0, 2));
    write(segment(0xe1, `Exif\0\0MM\0*\0\0\0\x08\0\0${'GPS secret '.repeat(100)}`));
    write(segment(0xfe, 'a comment to remove'));
    write(head.subarray(2));
    const block = entropyBlock();
    for (let i = 0; i < mib; i++) write(block);
    write(Buffer.from([0xff, 0xd9]));
  });
}

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}
const pngChunk = (type, data) => {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
};

/** Writes `unit` repeated until `bytes` are written, in 1 MiB writes. */
function repeat(write, unit, bytes) {
  const perBlock = Math.floor(MiB / unit.length);
  const block = Buffer.alloc(perBlock * unit.length);
  for (let i = 0; i < perBlock; i++) unit.copy(block, i * unit.length);
  let left = Math.floor(bytes / unit.length);
  while (left > 0) {
    const n = Math.min(left, perBlock);
    write(block.subarray(0, n * unit.length));
    left -= n;
  }
}

const FLOOD = 50 * MiB;
const floods = {
  'JPEG 1-byte COM segments': () =>
    cachedFile('flood-jpeg-com.jpg', (write) => {
      const { soi, afterSoi } = jpegParts();
      write(soi);
      repeat(write, Buffer.from([0xff, 0xfe, 0x00, 0x03, 0x41]), FLOOD);
      write(afterSoi);
    }),
  'PNG zero-length IDAT chunks': () =>
    cachedFile('flood-png-idat.png', (write) => {
      write(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      write(pngChunk('IHDR', Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0])));
      write(pngChunk('IDAT', deflateSync(Buffer.from([0, 0]))));
      repeat(write, pngChunk('IDAT', Buffer.alloc(0)), FLOOD);
      write(pngChunk('IEND', Buffer.alloc(0)));
    }),
  'GIF comment extensions': () =>
    cachedFile('flood-gif-comments.gif', (write) => {
      write(Buffer.from([...Buffer.from('GIF89a'), 2, 0, 1, 0, 0x80, 0, 0, 0, 0, 0, 255, 255, 255]));
      repeat(write, Buffer.from([0x21, 0xfe, 0x01, 0x41, 0x00]), FLOOD);
      write(Buffer.from([0x2c, 0, 0, 0, 0, 2, 0, 1, 0, 0, 0x02, 0x02, 0x44, 0x0a, 0x00, 0x3b]));
    }),
  'WebP unknown chunks': () =>
    cachedFile('flood-webp-unknown.webp', (write) => {
      const vp8l = Buffer.from([...Buffer.from('VP8L'), 14, 0, 0, 0, 0x2f, 0x0f, 0xc0, 0x01, 0x00, 0x07, 0x10, 0x11, 0x11, 0x88, 0x88, 0xfe, 0x07, 0x00]);
      const unit = Buffer.from('ZZZZ\0\0\0\0', 'latin1');
      const count = Math.floor(FLOOD / unit.length);
      const header = Buffer.from('RIFF\0\0\0\0WEBP', 'latin1');
      header.writeUInt32LE(4 + vp8l.length + count * unit.length, 4);
      write(header);
      write(vp8l);
      repeat(write, unit, count * unit.length);
    }),
};

// ---- 1. stream vs sanitizeImage ------------------------------------------------------------------------------
const targets = [];
const parts = new Set((process.env.BENCH_STREAM_PARTS ?? 'stream,floods,piexif').split(','));
const sizes = (process.env.BENCH_STREAM_SIZES ?? '10,100,200,1024').split(',').map(Number);
if (parts.has('stream')) {
  console.log(`\nSanitizeStream vs sanitizeImage on JPEGs, each from disk (Node ${process.version}; one child process per cell)`);
  console.log('size MiB  stream MB/s  whole MB/s  speed ratio  stream RSS growth MiB  whole RSS growth MiB');
  for (const mib of sizes) {
    const file = bigJpeg(mib);
    const stream = child('stream', file);
    const whole = child('whole', file);
    if (stream.out !== whole.out) throw new Error(`stream and sanitizeImage outputs differ in size on ${file}`);
    const ratio = whole.seconds / stream.seconds;
    const mbps = (r) => (r.size / 1e6 / r.seconds).toFixed(0);
    console.log(
      `${String(mib).padStart(8)}  ${mbps(stream).padStart(11)}  ${mbps(whole).padStart(10)}  ${ratio.toFixed(2).padStart(10)}x  ${(stream.growth / MiB).toFixed(1).padStart(21)}  ${(whole.growth / MiB).toFixed(1).padStart(20)}`,
    );
    targets.push([`stream speed vs sanitizeImage, ${mib} MiB`, ratio, 0.8, '>=']);
    if (mib >= 200) targets.push([`stream RSS growth MiB, ${mib} MiB`, stream.growth / MiB, 64, '<']);
  }
}

// ---- 2. floods ------------------------------------------------------------------------------------------------
if (parts.has('floods')) {
  console.log('\nFloods through sanitizeImage, 50 MiB each (RSS growth over the loaded input)');
  console.log('flood                          RSS growth / size   MB/s   output bytes');
  for (const [name, make] of Object.entries(floods)) {
    const r = child('flood', make());
    const ratio = r.growth / r.size;
    const mbps = r.size / 1e6 / r.seconds;
    console.log(`${name.padEnd(30)} ${ratio.toFixed(2).padStart(17)}x ${mbps.toFixed(0).padStart(6)}   ${r.out}`);
    targets.push([`${name}: RSS / size`, ratio, 4, '<']);
    targets.push([`${name}: MB/s`, mbps, 100, '>=']);
  }
}

// ---- 3. 24 MP JPEG vs piexifjs.remove -------------------------------------------------------------------------
if (parts.has('piexif')) {
  const { sanitizeImage } = await import(core);
  const file = cachedFile('bench-24mp.jpg', (write) => {
    const width = 6000;
    const height = 4000;
    const data = new Uint8Array(width * height * 4);
    let seed = 4242;
    for (let i = 0; i < data.length; i += 4) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      const x = (i / 4) % width;
      const y = Math.floor(i / 4 / width);
      const noise = (seed >>> 24) & 15;
      data[i] = ((x * 255) / width + noise) & 0xff;
      data[i + 1] = ((y * 255) / height + noise) & 0xff;
      data[i + 2] = ((x + y) & 0xff) ^ noise;
      data[i + 3] = 255;
    }
    const plain = Buffer.from(jpegJs.encode({ data, width, height }, 90).data);
    const exif = piexif.dump({ '0th': { [piexif.ImageIFD.Make]: 'BenchCam', [piexif.ImageIFD.Orientation]: 6 }, Exif: { [piexif.ExifIFD.BodySerialNumber]: 'SN-1' } });
    write(Buffer.from(piexif.insert(exif, plain.toString('latin1')), 'latin1'));
  });
  const jpeg = new Uint8Array(readFileSync(file));
  const ours = () => sanitizeImage(jpeg).bytes;
  const theirs = () => Buffer.from(piexif.remove(Buffer.from(jpeg.buffer, jpeg.byteOffset, jpeg.length).toString('latin1')), 'latin1');
  const timeOne = (fn) => {
    const start = process.hrtime.bigint();
    fn();
    return Number(process.hrtime.bigint() - start) / 1e9;
  };
  ours();
  theirs();
  const rounds = Number(process.env.BENCH_ROUNDS ?? 21);
  const ratios = [];
  for (let r = 0; r < rounds; r++) {
    // alternate which goes first, so that neither always runs after the other's garbage
    const [a, b] = r % 2 === 0 ? [timeOne(ours), timeOne(theirs)] : [undefined, timeOne(theirs)];
    const oursTime = a ?? timeOne(ours);
    ratios.push(b / oursTime);
  }
  ratios.sort((x, y) => x - y);
  const median = ratios[Math.floor(ratios.length / 2)];
  console.log(`\n24 MP JPEG (${(jpeg.length / 1e6).toFixed(1)} MB): sanitizeImage vs piexifjs.remove (bytes in and out), ${rounds} interleaved rounds`);
  console.log(`median speed ratio ${median.toFixed(2)}x (range ${ratios[0].toFixed(2)}x .. ${ratios[ratios.length - 1].toFixed(2)}x)`);
  targets.push(['24 MP JPEG sanitizeImage vs piexifjs.remove', median, 2, '>=']);
}

console.log('\ntarget                                              measured    target   met');
let allMet = true;
for (const [label, value, target, op] of targets) {
  const met = op === '>=' ? value >= target : value < target;
  allMet &&= met;
  console.log(`${label.padEnd(50)} ${value.toFixed(2).padStart(9)} ${`${op} ${target}`.padStart(9)}   ${met ? 'yes' : 'NO'}`);
}
process.exit(allMet ? 0 : 1);
