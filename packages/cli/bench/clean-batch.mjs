// CLI batch benchmark: one invocation of the built `image-sanitizer clean` over
// 500 small JPEGs carrying camera EXIF and GPS, side by side with a plain copy of
// the same files (`cp -r`), `clean --jobs 2` (forced onto the worker pool; the
// automatic choice keeps a batch this small on the main thread) and, when it is
// on PATH, `exiftool -all= -o`. Each is run RUNS times; the median wall time counts
// (process start-up included, as a user would see it).
// Usage: node packages/cli/bench/clean-batch.mjs   (after `npm run build`)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const jpegJs = require('jpeg-js');
const piexif = require('piexifjs');
const exifr = require('exifr');

const FILES = Number(process.env.BENCH_FILES ?? 500);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
if (!existsSync(BIN)) {
  console.error('packages/cli/dist/bin.js is missing: run `npm run build` first');
  process.exit(1);
}

/** jpeg-js rebuilds its tables on every encode: encode a few pictures once, vary the EXIF per file. */
function basePictures(count) {
  const pictures = [];
  for (let seed = 0; seed < count; seed++) {
    const width = 96;
    const height = 64;
    const data = Buffer.alloc(width * height * 4);
    for (let i = 0; i < width * height; i++) {
      data[i * 4] = (i * 3 + seed * 40) & 255;
      data[i * 4 + 1] = ((i >> 4) + seed * 17) & 255;
      data[i * 4 + 2] = (i ^ (seed * 29)) & 255;
      data[i * 4 + 3] = 255;
    }
    pictures.push(Buffer.from(jpegJs.encode({ data, width, height }, 85).data).toString('binary'));
  }
  return pictures;
}

function cameraExif(index) {
  const { ImageIFD, ExifIFD, GPSIFD } = piexif;
  return piexif.dump({
    '0th': {
      [ImageIFD.Make]: 'BenchCam',
      [ImageIFD.Model]: `Model ${index % 7}`,
      [ImageIFD.Software]: 'bench 1.0',
      [ImageIFD.Artist]: `Photographer ${index}`,
      [ImageIFD.DateTime]: '2024:05:06 07:08:09',
    },
    Exif: { [ExifIFD.DateTimeOriginal]: '2024:05:06 07:08:09', [ExifIFD.BodySerialNumber]: `SN${100000 + index}` },
    GPS: {
      [GPSIFD.GPSLatitudeRef]: 'N',
      [GPSIFD.GPSLatitude]: [[48, 1], [index % 60, 1], [1234, 100]],
      [GPSIFD.GPSLongitudeRef]: 'E',
      [GPSIFD.GPSLongitude]: [[11, 1], [34, 1], [index, 100]],
    },
  });
}

function makeInputs(folder) {
  mkdirSync(folder, { recursive: true });
  const pictures = basePictures(10);
  let bytes = 0;
  for (let i = 0; i < FILES; i++) {
    const jpeg = Buffer.from(piexif.insert(cameraExif(i), pictures[i % pictures.length]), 'binary');
    bytes += jpeg.length;
    writeFileSync(join(folder, `IMG_${String(i).padStart(4, '0')}.jpg`), jpeg);
  }
  return bytes;
}

function onPath(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).status === 0;
}

/** Median wall time of `RUNS` runs of `command`; `prepare` runs untimed before each (e.g. removes the output). */
function time(label, command, args, prepare) {
  const samples = [];
  for (let run = 0; run < RUNS; run++) {
    prepare();
    const start = process.hrtime.bigint();
    const result = spawnSync(command, args, { encoding: 'utf8' });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (result.status !== 0) throw new Error(`${label} failed (exit ${result.status}): ${result.stderr || result.stdout}`);
    samples.push(seconds);
  }
  samples.sort((a, b) => a - b);
  return { label, seconds: samples[Math.floor(samples.length / 2)] };
}

const work = mkdtempSync(join(tmpdir(), 'image-sanitizer-cli-bench-'));
try {
  const input = join(work, 'in');
  const out = join(work, 'out');
  const inputBytes = makeInputs(input);
  const reset = () => rmSync(out, { recursive: true, force: true });
  console.log(`${FILES} JPEGs, ${(inputBytes / FILES / 1000).toFixed(1)} kB each on average; median of ${RUNS} runs\n`);

  const rows = [];
  rows.push(time('cp -r (plain copy)', 'cp', ['-r', input, out], reset));
  rows.push(time('image-sanitizer clean', process.execPath, [BIN, 'clean', input, '-o', out], reset));
  rows.push(time('image-sanitizer clean --jobs 2', process.execPath, [BIN, 'clean', input, '-o', out, '--jobs', '2'], reset));
  // Sanity: the timed run really cleaned every file.
  const written = readdirSync(out);
  if (written.length !== FILES) throw new Error(`expected ${FILES} cleaned files, found ${written.length}`);
  const sample = await exifr.parse(readFileSync(join(out, written[0])), { gps: true, tiff: true });
  if (sample?.latitude !== undefined || sample?.Make !== undefined) throw new Error('the cleaned output still carries EXIF');

  let exiftoolNote = '';
  if (onPath('exiftool')) {
    // exiftool writes <dir>/<name> for each input into the existing output folder.
    rows.push(time('exiftool -all= -o', 'exiftool', ['-q', '-all=', '-o', `${out}/`, input], () => {
      reset();
      mkdirSync(out);
    }));
  } else {
    exiftoolNote = 'exiftool -all= -o: skipped: exiftool not installed';
  }

  const copy = rows[0].seconds;
  const ours = rows[1].seconds;
  const table = [
    ['tool', 'seconds', 'files/s', 'x cp -r', 'x clean'],
    ...rows.map((r) => [r.label, r.seconds.toFixed(3), Math.round(FILES / r.seconds).toString(), (r.seconds / copy).toFixed(2), (r.seconds / ours).toFixed(2)]),
  ];
  const widths = table[0].map((_, column) => Math.max(...table.map((row) => row[column].length)));
  for (const [index, row] of table.entries()) {
    console.log(row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  '));
    if (index === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
  if (exiftoolNote !== '') console.log(exiftoolNote);
} finally {
  rmSync(work, { recursive: true, force: true });
}
