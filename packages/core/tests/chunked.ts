// Feeds an input to the Session SanitizeStream drives, cut at given chunk sizes, synchronously; or through a
// SanitizeStream itself, asynchronously.
import { SanitizeError, sanitizeImage, SanitizeStream } from '../src/index.js';
import { HANDLERS } from '../src/formats/index.js';
import { resolveOptions } from '../src/options.js';
import { Session } from '../src/session.js';

export type Outcome = { bytes: Uint8Array; report: unknown } | { code: string };

export function whole(input: Uint8Array, keepColorProfile = true): Outcome {
  try {
    const { bytes, format, removed, kept } = sanitizeImage(input, { keepColorProfile });
    return { bytes, report: { format, removed, kept } };
  } catch (error) {
    if (!(error instanceof SanitizeError)) throw error;
    return { code: error.code };
  }
}

/** Feeds `input` cut at `sizes` (cycled), as SanitizeStream does. */
export function chunked(input: Uint8Array, sizes: number[], keepColorProfile = true): Outcome {
  const parts: Uint8Array[] = [];
  const session = new Session(resolveOptions({ keepColorProfile }), HANDLERS);
  const emit = (bytes: Uint8Array) => parts.push(bytes.slice());
  try {
    for (let at = 0, i = 0; at < input.length; i++) {
      const size = Math.max(1, sizes[i % sizes.length]);
      const chunk = input.slice(at, at + size);
      session.push(chunk, emit);
      chunk.fill(0xee); // the caller reuses its memory: the session must not keep views of it
      at += size;
    }
    const report = session.end(emit);
    return { bytes: joinParts(parts), report };
  } catch (error) {
    if (!(error instanceof SanitizeError)) throw error;
    return { code: error.code };
  }
}

export function joinParts(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}


/**
 * Pushes `input` through a `new Stream()` in chunks of the given sizes (cycled); the output and the report the
 * stream's `result` gives, or the error the readable side saw (which `result` must reject with too).
 */
export async function throughStream(input: Uint8Array, sizes: number[] = [input.length || 1], Stream: typeof SanitizeStream = SanitizeStream) {
  const stream = new Stream();
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  const parts: Uint8Array[] = [];
  const reading = (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      parts.push(value);
    }
  })();
  const writing = (async () => {
    for (let at = 0, i = 0; at < input.length; i++) {
      const size = Math.max(1, sizes[i % sizes.length]);
      await writer.write(input.slice(at, at + size));
      at += size;
    }
    await writer.close();
  })();
  const failure = (await Promise.allSettled([reading, writing])).find((o) => o.status === 'rejected');
  if (failure !== undefined) {
    const error = failure.reason as SanitizeError;
    if ((await stream.result.then(() => undefined, (reason: unknown) => reason)) !== error) throw new Error('result settled otherwise than the readable side');
    return { error };
  }
  return { bytes: joinParts(parts), report: await stream.result };
}
