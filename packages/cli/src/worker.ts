import { parentPort } from 'node:worker_threads';
import { runTask, type TaskRequest } from './tasks.js';

/** Worker-thread entry: runs one task per message and posts the response back (one task in flight per worker). */
if (parentPort === null) {
  throw new Error('worker.js is started by the image-sanitizer pool, not run directly');
}
const port = parentPort;

port.on('message', (message: { request: TaskRequest }) => {
  const response = runTask(message.request);
  const transfer: ArrayBuffer[] = [];
  if (response.ok && 'bytes' in response.value) {
    const { bytes } = response.value;
    // Hand the output buffer over instead of copying it, when the view covers all of it.
    if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) {
      transfer.push(bytes.buffer);
    }
  }
  port.postMessage({ response }, transfer);
});
