// Benchmark: the Lambda handler built by createHandler sanitizing large objects S3 -> S3 on the
// local stack (s3rver + fauxqs, packages/lambda/src/local/stack.ts). The stack runs in this
// process; each case runs the handler alone in a child process (node --expose-gc), which reports
// its RSS before the object (after a warm-up object and a GC) and its peak while handling it.
// Streamed formats (JPEG, PNG) must stay flat whatever their size; buffered formats (TIFF) show
// their memory per byte, which is what the CDK's maxObjectBytes validation uses.
// Usage: node scripts/bench-handler.mjs        (after npm run build; BENCH_HANDLER_MIB=200 sets the streamed size)
import { PutObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { closeSync, createReadStream, existsSync, mkdirSync, openSync, renameSync, statSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'; // a once-per-process notice, noise here
const MIB = 1024 * 1024;
const root = join(import.meta.dirname, '..');
const cacheDir = join(tmpdir(), 'image-sanitizer-bench');
mkdirSync(cacheDir, { recursive: true });
const INPUT = 'bench-input';
const OUTPUT = 'bench-output';
/** The target for a 200 MiB JPEG through the handler. */
const STREAM_TARGET_MIB = 96;

/**
 * A baseline, not a product path: the core's exports with SanitizeStream replaced by a pass-through
 * TransformStream, so one row measures what the S3 -> S3 plumbing alone costs (GetObject, the
 * Content-Length count, the multipart upload), the way the core bench's "plain copy" row does.
 */
const PASS_THROUGH_CORE = `
export * from '@image-sanitizer/core';
export class SanitizeStream extends TransformStream {
  constructor() {
    let settle;
    const result = new Promise((resolve) => (settle = resolve));
    super({ flush: () => settle({ format: 'jpeg', removed: [], kept: [] }) });
    this.result = result;
  }
}`;

/** createHandler, the local stack and the client helper, compiled from the lambda sources (packages stay external). */
async function loadLambda(passThrough = false) {
  // Inside the repository's node_modules, so that the external packages resolve from there.
  const outfile = join(root, 'node_modules', '.cache', 'image-sanitizer-bench', `bench-handler-lambda${passThrough ? '-pass-through' : ''}.mjs`);
  const plugins = passThrough
    ? [
        {
          name: 'pass-through-core',
          setup(on) {
            on.onResolve({ filter: /^@image-sanitizer\/core$/ }, (args) =>
              args.importer === 'pass-through-core' ? { path: args.path, external: true } : { path: 'pass-through-core', namespace: 'bench' },
            );
            on.onLoad({ filter: /.*/, namespace: 'bench' }, () => ({ contents: PASS_THROUGH_CORE, loader: 'js', resolveDir: root }));
          },
        },
      ]
    : [];
  const lambda = join(root, 'packages', 'lambda', 'src');
  await build({
    stdin: {
      contents: [
        `export { createHandler } from ${JSON.stringify(join(lambda, 'handler.ts'))};`,
        `export { localS3Client } from ${JSON.stringify(join(lambda, 'local', 'clients.ts'))};`,
        `export { startLocalStack } from ${JSON.stringify(join(lambda, 'local', 'stack.ts'))};`,
        `export { MemoryLogger } from ${JSON.stringify(join(lambda, 'logger.ts'))};`,
        `export { MetricTotals } from ${JSON.stringify(join(lambda, 'metrics.ts'))};`,
      ].join('\n'),
      resolveDir: join(root, 'packages', 'lambda'),
      loader: 'ts',
    },
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    plugins,
    logLevel: 'warning',
  });
  return import(outfile);
}

function s3Event(bucket, key, size) {
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: 'us-east-1',
        eventName: 'ObjectCreated:Put',
        s3: { bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` }, object: { key: encodeURIComponent(key), size } },
      },
    ],
  };
}

// ---- the child: the handler alone ----
if (process.argv[2] === '--child') {
  const [endpoint, key, warmKey, maxObjectBytes, mode] = process.argv.slice(3);
  const lib = await loadLambda(mode === 'pass-through');
  const s3 = lib.localS3Client(endpoint);
  const logger = new lib.MemoryLogger();
  const config = { inputBucket: INPUT, outputBucket: OUTPUT, maxObjectBytes: Number(maxObjectBytes), keepColorProfile: true, keepOrientation: true };
  const handler = lib.createHandler({ s3, config, logger, metrics: new lib.MetricTotals() });
  await handler(s3Event(INPUT, warmKey)); // module loading, the SDK's first requests and the core's tables belong to the baseline
  globalThis.gc();
  const rss = () => process.memoryUsage.rss();
  const baseline = rss();
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, rss())), 2);
  const started = performance.now();
  let failure;
  try {
    await handler(s3Event(INPUT, key));
  } catch (error) {
    failure = String(error);
  }
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, rss());
  const line = logger.lines.at(-1);
  process.stdout.write(JSON.stringify({ baseline, peak, seconds, failure, outcome: line?.outcome, reason: line?.reason, sizeOut: line?.sizeOut }));
  s3.destroy();
  process.exit(0);
}

// ---- inputs, written once to the cache folder ----
const require = createRequire(import.meta.url);
const jpegJs = require('jpeg-js');
const piexif = require('piexifjs');

/** Write `size` bytes of scan-data filler (never 0xFF) to fd, in 4 MiB blocks. */
function writeFiller(fd, size, modulo) {
  const block = Buffer.alloc(4 * MIB);
  for (let i = 0; i < block.length; i++) block[i] = (i * 31 + 7) % modulo;
  for (let left = size; left > 0; left -= block.length) writeSync(fd, block, 0, Math.min(left, block.length));
}

function cachedFile(name, make) {
  const file = join(cacheDir, name);
  if (!existsSync(file)) {
    process.stdout.write(`generating ${name} (once, cached in ${cacheDir}) ... `);
    const fd = openSync(`${file}.part`, 'w');
    make(fd);
    closeSync(fd);
    renameSync(`${file}.part`, file);
    console.log('done');
  }
  return file;
}

/** A real encoder's JPEG (EXIF with GPS, a comment) whose entropy-coded data is grown to `mib` MiB, then EOI and a trailer. */
function bigJpeg(mib) {
  return cachedFile(`bench-handler-${mib}mib.jpg`, (fd) => {
    const small = Buffer.from(jpegJs.encode({ data: Buffer.alloc(64 * 64 * 4, 90), width: 64, height: 64 }, 90).data);
    const exif = piexif.dump({ '0th': { [piexif.ImageIFD.Make]: 'BenchCam' }, GPS: { [piexif.GPSIFD.GPSLatitudeRef]: 'N' } });
    const withExif = Buffer.from(piexif.insert(exif, small.toString('latin1')), 'latin1');
    writeSync(fd, withExif.subarray(0, withExif.length - 2));
    writeFiller(fd, mib * MIB, 255);
    writeSync(fd, Buffer.from([0xff, 0xd9]));
    writeSync(fd, Buffer.from('trailer bytes after EOI', 'latin1'));
  });
}

function pngChunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** A PNG with a tEXt chunk and `mib` MiB of IDAT in 1 MiB chunks (the core copies IDAT without inflating it). */
function bigPng(mib) {
  return cachedFile(`bench-handler-${mib}mib.png`, (fd) => {
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(8192, 0);
    ihdr.writeUInt32BE(8192, 4);
    ihdr[8] = 8; // 8-bit grey
    writeSync(fd, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    writeSync(fd, pngChunk('IHDR', ihdr));
    writeSync(fd, pngChunk('tEXt', Buffer.from('Author\0bench', 'latin1')));
    const idat = pngChunk('IDAT', Buffer.alloc(MIB, 0x5a));
    for (let i = 0; i < mib; i++) writeSync(fd, idat);
    writeSync(fd, pngChunk('IEND', Buffer.alloc(0)));
  });
}

/** A baseline TIFF: 8-bit grey, uncompressed, one strip of `mib` MiB, the IFD after it. */
function bigTiff(mib) {
  return cachedFile(`bench-handler-${mib}mib.tif`, (fd) => {
    const width = 4096;
    const height = (mib * MIB) / width;
    const entries = [
      [256, 4, width], [257, 4, height], [258, 3, 8], [259, 3, 1], [262, 3, 1],
      [273, 4, 8], [277, 3, 1], [278, 4, height], [279, 4, width * height],
    ];
    const header = Buffer.from([0x49, 0x49, 42, 0, 0, 0, 0, 0]);
    header.writeUInt32LE(8 + width * height, 4);
    writeSync(fd, header);
    writeFiller(fd, width * height, 256);
    const ifd = Buffer.alloc(2 + entries.length * 12 + 4);
    ifd.writeUInt16LE(entries.length, 0);
    entries.forEach(([tag, type, value], i) => {
      ifd.writeUInt16LE(tag, 2 + i * 12);
      ifd.writeUInt16LE(type, 4 + i * 12);
      ifd.writeUInt32LE(1, 6 + i * 12);
      if (type === 3) ifd.writeUInt16LE(value, 10 + i * 12);
      else ifd.writeUInt32LE(value, 10 + i * 12);
    });
    writeSync(fd, ifd);
  });
}

// ---- the parent: the stack, the uploads, one child per case ----
const streamedMib = Number(process.env.BENCH_HANDLER_MIB ?? 200);
const cases = [
  { label: `JPEG ${streamedMib} MiB, plumbing only`, file: bigJpeg(streamedMib), key: 'bench/plumbing.jpg', mode: 'pass-through' },
  { label: `JPEG ${streamedMib} MiB (streamed)`, file: bigJpeg(streamedMib), key: 'bench/big.jpg', target: STREAM_TARGET_MIB },
  { label: `PNG  ${streamedMib} MiB (streamed)`, file: bigPng(streamedMib), key: 'bench/big.png' },
  { label: 'TIFF 32 MiB (buffered)', file: bigTiff(32), key: 'bench/32.tif' },
  { label: 'TIFF 64 MiB (buffered)', file: bigTiff(64), key: 'bench/64.tif' },
];

const only = process.env.BENCH_HANDLER_ONLY; // a substring of the case labels, to run a few
if (only) cases.splice(0, cases.length, ...cases.filter((item) => item.label.includes(only)));
const lib = await loadLambda();
const stack = await lib.startLocalStack({ inputBucket: INPUT, outputBucket: OUTPUT, s3Port: 0, sqsPort: 0 });
const s3 = lib.localS3Client(stack.s3Endpoint);
const upload = (key, file) =>
  s3.send(new PutObjectCommand({ Bucket: INPUT, Key: key, Body: createReadStream(file), ContentLength: statSync(file).size }));

function runChild(key, mode = 'core') {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', import.meta.filename, '--child', stack.s3Endpoint, key, 'bench/warm.jpg', String(1024 * MIB), mode], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`child exited with ${code}: ${out}`))));
  });
}

const rows = [];
let allMet = true;
try {
  await s3.send(new PutObjectCommand({ Bucket: INPUT, Key: 'bench/warm.jpg', Body: Buffer.from(jpegJs.encode({ data: Buffer.alloc(32 * 32 * 4, 60), width: 32, height: 32 }, 80).data) }));
  for (const item of cases) {
    await upload(item.key, item.file);
    const size = statSync(item.file).size;
    const result = await runChild(item.key, item.mode);
    const head = result.outcome === 'sanitized' ? await s3.send(new HeadObjectCommand({ Bucket: OUTPUT, Key: item.key })) : undefined;
    const growth = (result.peak - result.baseline) / MIB;
    const ok = result.outcome === 'sanitized' && head?.ContentLength === result.sizeOut;
    const met = ok && (item.target === undefined || growth < item.target);
    if (item.target !== undefined || !ok) allMet &&= met;
    rows.push({ ...item, size, growth, result, ok, met });
  }
} finally {
  s3.destroy();
  await stack.close();
}

console.log(`\nhandler S3 -> S3 on the local stack (createHandler, one child process per case, Node ${process.version})`);
console.log('case                          size MiB  RSS before MiB  RSS growth MiB  growth/size   MB/s   target        met');
for (const row of rows) {
  const target = row.target === undefined ? '(measure)' : `< ${row.target} MiB`;
  const status = !row.ok ? `NO (${row.result.outcome ?? 'failed'} ${row.result.reason ?? row.result.failure ?? ''})` : row.target === undefined ? '-' : row.met ? 'yes' : 'NO';
  console.log(
    `${row.label.padEnd(29)} ${(row.size / MIB).toFixed(1).padStart(8)} ${(row.result.baseline / MIB).toFixed(1).padStart(15)} ${row.growth.toFixed(1).padStart(15)} ${(row.growth / (row.size / MIB)).toFixed(2).padStart(12)}x ${(row.size / 1e6 / row.result.seconds).toFixed(0).padStart(6)}   ${target.padEnd(12)}  ${status}`,
  );
}
console.log('plumbing only: SanitizeStream replaced by a pass-through TransformStream (a baseline row, like "plain copy" in the core bench).');
process.exit(allMet ? 0 : 1);
