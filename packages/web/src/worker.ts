// The worker: reads one file at a time with progress, reads what it carries (exifr), then cleans it (the core).
// The page's main thread only draws; a large photo never blocks it.
import { MIME_TYPES, isSanitizeError, sanitizeImage } from '@image-sanitizer/core';
import { readCarried } from './carried.js';
import type { CleanRequest, Outcome, WorkerMessage } from './messages.js';

interface WorkerScope {
  onmessage: ((event: MessageEvent<CleanRequest>) => void) | null;
  postMessage(message: WorkerMessage, transfer?: Transferable[]): void;
}
const scope = self as unknown as WorkerScope;

/** Progress is posted at most this often (in bytes), so a 200 MB file sends ~100 messages. */
const PROGRESS_STEP = 2 * 1024 * 1024;

async function readAll(request: CleanRequest): Promise<Uint8Array<ArrayBuffer>> {
  const { id, file } = request;
  const bytes = new Uint8Array(file.size);
  const reader = file.stream().getReader();
  let loaded = 0;
  let reported = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (loaded + value.length > bytes.length) throw new Error('The file grew while it was read');
    bytes.set(value, loaded);
    loaded += value.length;
    if (loaded - reported >= PROGRESS_STEP) {
      reported = loaded;
      scope.postMessage({ id, type: 'progress', phase: 'reading', loaded, total: file.size });
    }
  }
  if (loaded !== bytes.length) throw new Error('The file shrank while it was read');
  scope.postMessage({ id, type: 'progress', phase: 'reading', loaded, total: file.size });
  return bytes;
}

function clean(bytes: Uint8Array): Outcome {
  try {
    const result = sanitizeImage(bytes);
    return { ok: true, format: result.format, mime: MIME_TYPES[result.format], bytes: result.bytes, removed: result.removed, kept: result.kept };
  } catch (error) {
    if (isSanitizeError(error)) return { ok: false, code: error.code, message: error.message };
    return { ok: false, code: 'INTERNAL', message: String(error) };
  }
}

async function handle(request: CleanRequest): Promise<void> {
  const { id, file } = request;
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = await readAll(request);
  } catch (error) {
    scope.postMessage({ id, type: 'result', size: file.size, outcome: { ok: false, code: 'READ_FAILED', message: `The file could not be read: ${String(error)}` } });
    return;
  }
  scope.postMessage({ id, type: 'progress', phase: 'cleaning' });
  const carried = await readCarried(bytes);
  const outcome = clean(bytes);
  const transfer: Transferable[] = [];
  if (outcome.ok) transfer.push(outcome.bytes.buffer);
  if (carried?.thumbnail) transfer.push(carried.thumbnail.buffer);
  scope.postMessage({ id, type: 'result', size: file.size, carried, outcome }, transfer);
}

// One file at a time: memory stays at about two copies of the largest file.
let queue = Promise.resolve();
scope.onmessage = (event) => {
  queue = queue.then(() => handle(event.data));
};
