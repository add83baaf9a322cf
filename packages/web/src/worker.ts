// The worker: streams one file at a time through the core's SanitizeStream, counting bytes for the progress bar,
// and reads what the original carries with exifr. The page's main thread only draws; a large photo never blocks it.
import { MIME_TYPES, SanitizeStream, isSanitizeError } from '@image-sanitizer/core';
import { readCarried } from './carried.js';
import type { CleanRequest, Outcome, WorkerMessage } from './messages.js';

interface WorkerScope {
  onmessage: ((event: MessageEvent<CleanRequest>) => void) | null;
  postMessage(message: WorkerMessage, transfer?: Transferable[]): void;
}
const scope = self as unknown as WorkerScope;

/** Progress is posted at most this often (in bytes), so a 200 MB file sends ~100 messages. */
const PROGRESS_STEP = 2 * 1024 * 1024;

/** Passes bytes through unchanged and reports how many went by. */
function progress(id: number, total: number): TransformStream<Uint8Array, Uint8Array> {
  let loaded = 0;
  let reported = 0;
  return new TransformStream({
    transform(chunk, controller) {
      loaded += chunk.length;
      if (loaded - reported >= PROGRESS_STEP || loaded === total) {
        reported = loaded;
        scope.postMessage({ id, type: 'progress', phase: 'reading', loaded, total });
      }
      controller.enqueue(chunk);
    },
  });
}

/** JPEG, PNG and GIF stream in bounded memory; the core holds WebP, HEIF and TIFF whole (up to its limit). */
async function clean(request: CleanRequest): Promise<Outcome> {
  const { id, file } = request;
  const sanitizer = new SanitizeStream();
  const parts: Uint8Array<ArrayBuffer>[] = [];
  try {
    const reader = file.stream().pipeThrough(progress(id, file.size)).pipeThrough(sanitizer).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value as Uint8Array<ArrayBuffer>);
    }
    const { format, removed, kept } = await sanitizer.result;
    const blob = new Blob(parts, { type: MIME_TYPES[format] });
    return { ok: true, format, mime: MIME_TYPES[format], blob, removed, kept };
  } catch (error) {
    if (isSanitizeError(error)) return { ok: false, code: error.code, message: error.message };
    return { ok: false, code: 'READ_FAILED', message: `The file could not be read: ${String(error)}` };
  }
}

async function handle(request: CleanRequest): Promise<void> {
  const { id, file } = request;
  const outcome = await clean(request);
  scope.postMessage({ id, type: 'progress', phase: 'reading-metadata' });
  const carried = await readCarried(file);
  scope.postMessage({ id, type: 'result', size: file.size, carried, outcome }, carried?.thumbnail ? [carried.thumbnail.buffer] : []);
}

// One file at a time: memory stays bounded by one file's work.
let queue = Promise.resolve();
scope.onmessage = (event) => {
  queue = queue.then(() => handle(event.data));
};
