// The self-check of sanitizeImage counts, without reading them again, the scans' entropy-coded data that the
// output holds as a verbatim copy of data the first walk read whole (`copiedData` in src/sanitize.ts). These
// tests show where the proof comes from (toBytes reports its own copies; a range is taken only when one copy
// holds all of it), that the shortcut is taken only where the output's own SOS ends, and that on every JPEG
// fixture and corpus file the self-check concludes with the shortcut exactly what it concludes without it.
import { describe, expect, it, vi } from 'vitest';
import { ByteSink } from '../src/bytes/write.js';
import { jpeg } from '../src/formats/jpeg/index.js';
import { resolveOptions } from '../src/options.js';
import { sanitizeImage } from '../src/index.js';
import { copiedData } from '../src/sanitize.js';
import { ascii, concat, jpegSegment, jpegWith } from './build.js';
import { corpusManifest, fixtureManifest, readCorpus, readFixture } from './load.js';

const options = resolveOptions(undefined);

/** The first walk, the output as sanitizeBytes assembles it, and the ranges it hands the self-check. */
function firstWalk(input: Uint8Array) {
  const plan = jpeg.plan(input, options, 'sanitize');
  const copies: number[] = [];
  const bytes = plan.output.toBytes(input, copies);
  return { bytes, copies, trusted: copiedData(plan.scannedData, copies) };
}

/** Where the first SOS segment's content ends (its entropy-coded data starts). */
function sosEnd(bytes: Uint8Array): number {
  let at = 2;
  while (!(bytes[at] === 0xff && bytes[at + 1] === 0xda)) at += 2 + ((bytes[at + 2] << 8) | bytes[at + 3]);
  return at + 2 + ((bytes[at + 2] << 8) | bytes[at + 3]);
}

describe('ByteSink.toBytes names its copies of the source', () => {
  it('reports a triple for each view of the source it places, none for written pieces', () => {
    // Prepare
    const source = Uint8Array.from({ length: 64 }, (_, i) => i);
    const sink = new ByteSink();
    sink.write(Uint8Array.from([0xaa, 0xbb]));
    sink.copy(source, 10, 20);
    sink.copy(source, 20, 30); // continues the last copy: one piece
    sink.write(Uint8Array.from([0xcc]));
    sink.copy(source, 40, 44);
    sink.write(source.slice(50, 52)); // a copy of source bytes in memory of its own: not a view
    // Act
    const copies: number[] = [];
    const bytes = sink.toBytes(source, copies);
    // Assess
    expect(copies).toEqual([10, 2, 20, 40, 23, 4]);
    for (let c = 0; c < copies.length; c += 3) {
      expect([...bytes.subarray(copies[c + 1], copies[c + 1] + copies[c + 2])]).toEqual([...source.subarray(copies[c], copies[c] + copies[c + 2])]);
    }
  });
});

describe('copiedData', () => {
  it('takes a scanned range only when one copy holds all of it', () => {
    // Prepare: copies (input offset, output offset, size) of input [100, 200) and [200, 300) as two pieces
    const copies = [100, 10, 100, 200, 150, 100];
    // Act, Assess
    expect(copiedData([120, 180], copies)).toEqual([30, 90]);
    expect(copiedData([200, 300], copies)).toEqual([150, 250]);
    expect(copiedData([150, 250], copies)).toEqual([]); // across two pieces
    expect(copiedData([90, 150], copies)).toEqual([]); // starts before any copy
    expect(copiedData([250, 301], copies)).toEqual([]); // ends past the last
    expect(copiedData(undefined, copies)).toBeUndefined();
  });
});

describe('the self-check shortcut', () => {
  it('is taken where the output’s SOS ends: a range given there is counted, not read', () => {
    // Prepare: scan data that holds a COM marker, and a range (not one sanitizeBytes would build) claiming it is clean
    const clean = jpegWith();
    const start = sosEnd(clean);
    const planted = concat(clean.subarray(0, start + 4), jpegSegment(0xfe, 'hidden'), clean.subarray(start + 4));
    const claim = [start, start + 4 + 10];
    // Act
    const read = jpeg.plan(planted, options, 'verify');
    const counted = jpeg.plan(planted, options, 'verify', claim);
    // Assess: read, the COM ends the scan and is removed; counted, it is not seen (the range must come from toBytes)
    expect(read.removed.map((item) => item.container)).toContain('COM');
    expect(counted.removed.map((item) => item.container)).not.toContain('COM');
  });

  it('is not taken anywhere else: a range over a header segment, or past the end, is read', () => {
    // Prepare
    const input = jpegWith(jpegSegment(0xe1, concat(ascii('Exif\0\0'), ascii('MM\0*\0\0\0\x08\0\0'))));
    const app1 = 2 + 2 + ((input[4] << 8) | input[5]);
    const start = sosEnd(input);
    // Act
    const overHeader = jpeg.plan(input, options, 'verify', [app1, start + 8]);
    const pastEnd = jpeg.plan(input, options, 'verify', [start, input.length + 10]);
    const plain = jpeg.plan(input, options, 'verify');
    // Assess
    expect(overHeader.removed.map((item) => item.container)).toContain('APP1');
    expect(overHeader.output.length).toBe(plain.output.length);
    expect(pastEnd.output.length).toBe(plain.output.length);
    expect(pastEnd.removed).toEqual(plain.removed);
  });

  const jpegs: [string, Uint8Array][] = [];
  for (const entry of fixtureManifest()) if (entry.format === 'jpeg' && entry.expect === 'clean') jpegs.push([`fixture ${entry.file}`, readFixture(entry.file)]);
  for (const entry of corpusManifest() ?? []) if (entry.file.endsWith('.jpg') || entry.file.endsWith('.jpeg')) jpegs.push([`corpus ${entry.file}`, readCorpus(entry.file)]);

  it('has JPEGs to compare on', () => {
    expect(jpegs.length).toBeGreaterThan(10);
  });

  it.each(jpegs)('changes nothing the self-check concludes: %s', (_name, input) => {
    // Prepare
    let first;
    try {
      first = firstWalk(input);
    } catch {
      return; // a refused input has no output to check
    }
    // Act
    const read = jpeg.plan(first.bytes, options, 'verify');
    const counted = jpeg.plan(first.bytes, options, 'verify', first.trusted);
    // Assess: every scan's data is taken, and the conclusions are the same
    expect(first.trusted?.length ?? 0).toBeGreaterThan(0);
    expect(counted.output.length).toBe(read.output.length);
    expect(counted.removed).toEqual(read.removed);
    expect(counted.kept).toEqual(read.kept);
    expect(counted.output.length).toBe(first.bytes.length);
  });
});

describe('sanitizeImage hands the shortcut to the self-check', () => {
  it('for an input in its own memory, never for one in shared memory (another thread could write into it)', () => {
    // Prepare
    const input = jpegWith(jpegSegment(0xfe, 'a comment'));
    const shared = new Uint8Array(new SharedArrayBuffer(input.length));
    shared.set(input);
    const plan = vi.spyOn(jpeg, 'plan');
    try {
      // Act
      const own = sanitizeImage(input);
      const fromShared = sanitizeImage(shared);
      // Assess: the verify walks' fourth argument
      const verifies = plan.mock.calls.filter((call) => call[2] === 'verify');
      expect(verifies).toHaveLength(2);
      expect(verifies[0][3]?.length).toBe(2);
      expect(verifies[1][3]).toBeUndefined();
      expect(Buffer.from(fromShared.bytes).equals(Buffer.from(own.bytes))).toBe(true);
    } finally {
      plan.mockRestore();
    }
  });
});
