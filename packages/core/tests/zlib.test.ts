/**
 * The core's bounded zlib reader and stored-block writer (for PNG iCCP),
 * judged by Node's zlib.
 */
import { deflateSync, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { deflateStored, InflateError, inflateZlib } from '../src/bytes/zlib.js';

const samples = [0, 1, 100, 65535, 65536, 200_000].map((n) => Uint8Array.from({ length: n }, (_, i) => ((i * i) >> 3) & 0xff));
const text = new TextEncoder().encode('ICC profile text '.repeat(500));

describe('inflateZlib', () => {
  it.each([0, 1, 6, 9])('inflates what node:zlib deflates at level %i (stored, fixed and dynamic blocks)', (level) => {
    for (const data of [...samples, text]) {
      const stream = new Uint8Array(deflateSync(data, { level }));
      expect(Buffer.from(inflateZlib(stream, 0, stream.length, 1 << 20)).equals(Buffer.from(data))).toBe(true);
    }
  });

  it.each([
    ['a bad header', (s: Uint8Array) => s.map((b, i) => (i === 0 ? 0x79 : b))],
    ['a wrong checksum', (s: Uint8Array) => s.map((b, i) => (i === s.length - 1 ? b ^ 1 : b))],
    ['a cut stream', (s: Uint8Array) => s.subarray(0, s.length - 10)],
  ])('refuses %s', (_name, mutate) => {
    const stream = mutate(new Uint8Array(deflateSync(text)));
    expect(() => inflateZlib(stream, 0, stream.length, 1 << 20)).toThrow(InflateError);
  });

  it('refuses bytes after the stream and output beyond the cap', () => {
    const stream = new Uint8Array(deflateSync(text));
    const padded = new Uint8Array([...stream, 0x41]);
    expect(() => inflateZlib(padded, 0, padded.length, 1 << 20)).toThrow('bytes after the stream');
    expect(() => inflateZlib(stream, 0, stream.length, 100)).toThrow('more than 100 bytes');
  });

  it('never throws anything but InflateError on mutated streams', () => {
    const stream = new Uint8Array(deflateSync(text, { level: 9 }));
    for (let at = 0; at < stream.length; at++) {
      for (const value of [0, 0xff, stream[at] ^ 0x10]) {
        const mutated = stream.slice();
        mutated[at] = value;
        try {
          inflateZlib(mutated, 0, mutated.length, 1 << 16);
        } catch (error) {
          expect(error).toBeInstanceOf(InflateError);
        }
      }
    }
  });
});

describe('deflateStored', () => {
  it.each(samples.map((s) => [s.length, s] as const))('writes %i bytes that node:zlib and inflateZlib read back', (_n, data) => {
    const stream = deflateStored(data);
    expect(Buffer.from(inflateSync(stream)).equals(Buffer.from(data))).toBe(true);
    expect(Buffer.from(inflateZlib(stream, 0, stream.length, 1 << 20)).equals(Buffer.from(data))).toBe(true);
  });
});
