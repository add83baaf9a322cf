// createSanitizer() of @image-sanitizer/core/compose over handlers of @image-sanitizer/core/formats (issue #14 item 4):
// over every format it is the main entry, fixture by fixture, in bytes, reports and refusals, whole, streamed and as a
// Blob; over a few it is the main entry on those and refuses the others with UNSUPPORTED_FORMAT.
import { describe, expect, it } from 'vitest';
import { createSanitizer } from '../src/compose-entry.js';
import { avif, gif, heic, jpeg, png, tiff, webp, type ImageFormatHandler } from '../src/formats-entry.js';
import { inspectImage, sanitizeBlob, SanitizeError, sanitizeImage, SanitizeStream } from '../src/index.js';
import { throughStream } from './chunked.js';
import { fixtureManifest, readFixture, type FixtureEntry } from './load.js';

const manifest = fixtureManifest();
/** The handler of each format, by the name the fixture manifest gives it. */
const HANDLER: Record<string, ImageFormatHandler> = { jpeg, png, webp, gif, heic, avif, tiff };
/** Chunk sizes for the stream path (cycled): structures cut at odd places. */
const CHUNKS = [4096, 1, 7];

type Outcome = { bytes: Uint8Array; report: unknown } | { code: string; format?: string; message: string };

function outcome(run: () => { bytes: Uint8Array; format: string; removed: unknown; kept: unknown }): Outcome {
  try {
    const { bytes, format, removed, kept } = run();
    return { bytes, report: { format, removed, kept } };
  } catch (error) {
    return refusal(error);
  }
}

function refusal(error: unknown): Outcome {
  if (!(error instanceof SanitizeError)) throw error;
  return { code: error.code, format: error.format, message: error.message };
}

/** `input` through `new Stream()` in chunks of `CHUNKS`; the output and report, or the refusal. */
async function streamed(Stream: typeof SanitizeStream, input: Uint8Array): Promise<Outcome> {
  const { error, bytes, report } = await throughStream(input, CHUNKS, Stream);
  return error === undefined ? { bytes: bytes!, report } : refusal(error);
}

async function blobbed(sanitize: typeof sanitizeBlob, input: Uint8Array): Promise<Outcome & { type?: string }> {
  try {
    const { blob, format, removed, kept } = await sanitize(new Blob([input]));
    return { bytes: new Uint8Array(await blob.arrayBuffer()), report: { format, removed, kept }, type: blob.type };
  } catch (error) {
    return refusal(error);
  }
}

/** What the main entry gives for `entry`: its outcome, or for a format not in `formats`, the refusal it must give. */
function expectedOf(entry: FixtureEntry, formats: readonly string[]): Outcome | { code: 'UNSUPPORTED_FORMAT'; format: string } {
  if (entry.format !== null && !formats.includes(entry.format)) {
    return { code: 'UNSUPPORTED_FORMAT', format: entry.format };
  }
  return outcome(() => sanitizeImage(readFixture(entry.file)));
}

/** Compares an outcome with the expected one; a refusal of a lacking format is compared by code and format only. */
function assertSame(actual: Outcome, expected: ReturnType<typeof expectedOf>): void {
  if ('bytes' in expected) {
    expect('bytes' in actual, `refused: ${JSON.stringify(actual)}`).toBe(true);
    expect(Buffer.from((actual as { bytes: Uint8Array }).bytes).equals(Buffer.from(expected.bytes))).toBe(true);
    expect((actual as { report: unknown }).report).toEqual(expected.report);
  } else if ('message' in expected) {
    expect(actual).toEqual(expected);
  } else {
    expect(actual).toMatchObject(expected);
  }
}

const SUBSETS = [Object.keys(HANDLER), ['jpeg'], ['jpeg', 'png', 'webp'], ['gif', 'tiff', 'avif'], ['heic']];
const cases = SUBSETS.flatMap((formats) => manifest.map((entry) => [`[${formats.join(', ')}]`, entry.file, formats, entry] as const));

describe('createSanitizer(formats) against the main entry, fixture by fixture', () => {
  it('the subsets hold each format of the fixtures at least once inside and once outside (the check can fail)', () => {
    const formats = new Set(manifest.map((entry) => entry.format).filter((format) => format !== null));
    for (const format of formats) {
      expect(SUBSETS.some((set) => set.includes(format))).toBe(true);
      expect(SUBSETS.some((set) => !set.includes(format))).toBe(true);
    }
  });

  it.each(cases)('%s, %s: sanitizeImage and inspectImage', (_name, _file, formats, entry) => {
    // Prepare
    const sanitizer = createSanitizer(formats.map((format) => HANDLER[format]));
    const input = readFixture(entry.file);
    const expected = expectedOf(entry, formats);

    // Act
    const actual = outcome(() => sanitizer.sanitizeImage(input));

    // Assess
    assertSame(actual, expected);
    if ('code' in expected && expected.code === 'UNSUPPORTED_FORMAT' && !('message' in expected)) {
      expect(() => sanitizer.inspectImage(input)).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_FORMAT', format: entry.format }));
    } else if ('bytes' in expected) {
      expect(sanitizer.inspectImage(input)).toEqual(inspectImage(input));
    }
  });

  it.each(cases)('%s, %s: SanitizeStream and sanitizeBlob', async (_name, _file, formats, entry) => {
    // Prepare
    const sanitizer = createSanitizer(formats.map((format) => HANDLER[format]));
    const input = readFixture(entry.file);
    const expected = expectedOf(entry, formats);

    // Act
    const viaStream = await streamed(sanitizer.SanitizeStream, input);
    const { type, ...viaBlob } = await blobbed(sanitizer.sanitizeBlob, input);

    // Assess
    assertSame(viaStream, expected);
    assertSame(viaBlob, expected);
    if ('bytes' in expected) {
      const main = await sanitizeBlob(new Blob([input]));
      expect(type).toBe(main.blob.type);
    }
  });
});

describe('createSanitizer()', () => {
  it('lists its formats in the order given and tells every format apart, supported here or not', () => {
    const sanitizer = createSanitizer([png, jpeg]);
    expect(sanitizer.SUPPORTED_FORMATS).toEqual(['png', 'jpeg']);
    for (const entry of manifest) expect(sanitizer.detectFormat(readFixture(entry.file))).toBe(entry.format ?? undefined);
  });

  it('refuses a lacking format in a stream from its first bytes, before the image is read', async () => {
    // Prepare: a PNG signature and far more bytes than any sniff needs, never closed
    const stream = new (createSanitizer([jpeg]).SanitizeStream)();
    const writer = stream.writable.getWriter();
    const input = readFixture(manifest.find((entry) => entry.format === 'png' && entry.expect === 'clean')!.file);

    // Act
    const read = stream.readable.getReader().read();
    const write = writer.write(input.slice(0, 64));

    // Assess
    await expect(write).rejects.toMatchObject({ code: 'UNSUPPORTED_FORMAT', format: 'png' });
    await expect(read).rejects.toMatchObject({ code: 'UNSUPPORTED_FORMAT', format: 'png' });
    await expect(stream.result).rejects.toMatchObject({ code: 'UNSUPPORTED_FORMAT', format: 'png' });
  });

  it.each([
    ['no array', undefined],
    ['an empty list', []],
    ['something that is not a handler', [jpeg, { format: 'png' }]],
    ['a format twice', [jpeg, png, jpeg]],
  ])('refuses %s with INVALID_ARGUMENT', (_what, formats) => {
    expect(() => createSanitizer(formats as ImageFormatHandler[])).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('keeps no state between sanitizers: one over [jpeg] does not change the main entry or another', () => {
    const input = readFixture(manifest.find((entry) => entry.format === 'png' && entry.expect === 'clean')!.file);
    createSanitizer([jpeg]);
    expect(sanitizeImage(input).format).toBe('png');
    expect(createSanitizer([png]).sanitizeImage(input).bytes).toEqual(sanitizeImage(input).bytes);
  });
});
