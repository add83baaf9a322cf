// The word-at-a-time search for the end of a scan's entropy-coded data (formats/jpeg/entropy.ts) finds what a
// byte-by-byte reading of T.81 B.1.1.5 finds, at every alignment of the bytes in their buffer and of the range.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EntropyScanner } from '../src/formats/jpeg/entropy.js';

/** The first FF in [from, end) followed by neither 00 nor D0..D7, or an FF at end - 1; end when none. */
function reference(bytes: Uint8Array, from: number, end: number): number {
  for (let i = from; i < end; i++) {
    if (bytes[i] !== 0xff) continue;
    if (i + 1 === end) return i;
    const next = bytes[i + 1];
    if (next !== 0x00 && (next < 0xd0 || next > 0xd7)) return i;
  }
  return end;
}

// Bytes rich in the cases that matter: FF 00, FF Dn, FF FF runs, markers, FF at word edges, FF FE (a carry flags the FE).
const byte = fc.oneof(fc.constant(0xff), fc.constant(0x00), fc.constant(0xfe), fc.integer({ min: 0xd0, max: 0xd9 }), fc.integer({ min: 0, max: 255 }));

describe('EntropyScanner.stop', () => {
  it('agrees with a byte-by-byte reading, at every offset in the buffer', () => {
    // Prepare
    const scanner = new EntropyScanner();
    // size 'max': with its default size fast-check keeps arrays under ~10 bytes, below SHORT_RANGE: the word loop never ran
    fc.assert(
      fc.property(fc.array(byte, { minLength: 0, maxLength: 400, size: 'max' }), fc.nat(7), fc.nat(400), fc.nat(400), (values, shift, a, b) => {
        const buffer = new ArrayBuffer(values.length + 8);
        const bytes = new Uint8Array(buffer, shift, values.length);
        bytes.set(values);
        const from = Math.min(a, b, values.length);
        const end = Math.min(Math.max(a, b), values.length);
        // Act, Assess
        expect(scanner.stop(bytes, from, end)).toBe(reference(bytes, from, end));
      }),
      { numRuns: 3000, seed: 20261202 },
    );
  });

  it('finds a marker far into photo-like data with an FF 00 every few hundred bytes', () => {
    // Prepare
    const bytes = new Uint8Array(1 << 20);
    let seed = 42;
    for (let i = 0; i < bytes.length; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      bytes[i] = bytes[i - 1] === 0xff ? 0 : seed >>> 24;
    }
    const at = bytes.length - 1000;
    bytes[at - 1] = 0x12;
    bytes[at] = 0xff;
    bytes[at + 1] = 0xd9;
    // Act, Assess
    expect(new EntropyScanner().stop(bytes, 3, bytes.length)).toBe(reference(bytes, 3, bytes.length));
    expect(new EntropyScanner().stop(bytes, 3, bytes.length)).toBeLessThanOrEqual(at);
  });
});
