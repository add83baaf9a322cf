// The CLI's batch of copies sanitizes every image into one reused buffer (`sanitizeImageInto` and
// `ScratchBuffer`, src/internal.ts). Over every fixture, one buffer in turn: each output is byte for byte
// what sanitizeImage gives (or the same error), including right after a larger or a smaller image, and
// an output sanitized again from that very buffer (the input a view of it) is not overwritten while read.
import { describe, expect, it } from 'vitest';
import { isSanitizeError, sanitizeImage } from '../src/index.js';
import { ScratchBuffer, sanitizeImageInto } from '../src/internal.js';
import { fixtureManifest, readFixture } from './load.js';

const outcome = (run: () => { bytes: Uint8Array }) => {
  try {
    return { bytes: Array.from(run().bytes) };
  } catch (error) {
    if (!isSanitizeError(error)) throw error;
    return { code: error.code };
  }
};

describe('sanitizeImageInto: one reused output buffer', () => {
  it('gives what sanitizeImage gives for every fixture, one after the other into the same buffer', () => {
    const into = new ScratchBuffer();
    let compared = 0;
    for (const entry of fixtureManifest()) {
      const input = readFixture(entry.file);
      expect(outcome(() => sanitizeImageInto(input, undefined, into)), entry.file).toEqual(outcome(() => sanitizeImage(input)));
      compared++;
    }
    expect(compared).toBeGreaterThan(50);
  });

  it('hands out views of one buffer, each overwritten by the next call', () => {
    const [larger, smaller] = [firstOf('jpeg'), firstOf('png')].map(readFixture).sort((a, b) => b.length - a.length);
    const into = new ScratchBuffer();
    const first = sanitizeImageInto(larger, undefined, into).bytes;
    const firstBytes = Array.from(first);
    const second = sanitizeImageInto(smaller, undefined, into).bytes;
    expect(second.buffer).toBe(first.buffer);
    expect(second.byteOffset).toBe(0);
    expect(Array.from(first)).not.toEqual(firstBytes);
  });

  it('sanitizes its own previous output into a fresh buffer, not over the input', () => {
    const into = new ScratchBuffer();
    for (const format of ['jpeg', 'png', 'webp', 'gif']) {
      const first = sanitizeImageInto(readFixture(firstOf(format)), undefined, into).bytes;
      const expected = Array.from(sanitizeImage(first).bytes);
      const again = sanitizeImageInto(first, undefined, into).bytes;
      expect(again.buffer, format).not.toBe(first.buffer);
      expect(Array.from(again), format).toEqual(expected);
    }
  });
});

function firstOf(format: string): string {
  const entry = fixtureManifest().find((e) => e.file.startsWith(`${format}/`) && e.expect === 'clean');
  if (entry === undefined) throw new Error(`no ${format} fixture to sanitize`);
  return entry.file;
}
