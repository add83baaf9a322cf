import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { TaskRequest, TaskResponse, TaskOp } from './tasks.js';
import type { TaskRunner } from './pool.js';

interface Pending {
  resolve: (response: TaskResponse) => void;
}

interface Slot {
  worker: Worker;
  busy: Pending | undefined;
}

/**
 * A fixed pool of worker threads, one task per worker at a time. Input bytes are
 * transferred, not copied; the caller must not use them after `run()`. A worker
 * that dies fails its task with `INTERNAL` and is replaced.
 */
export class WorkerPool implements TaskRunner {
  readonly concurrency: number;
  readonly workers: number;
  private readonly slots: Slot[] = [];
  private readonly queue: { request: TaskRequest; pending: Pending }[] = [];
  private closed = false;

  constructor(
    readonly size: number,
    /** dist/worker.js, beside the bundle this runs in (dist/ is CommonJS: see tsup.config.ts). */
    private readonly workerPath: string = join(__dirname, 'worker.js'),
  ) {
    // Keep the main thread reading and writing the next files while workers compute.
    this.workers = size;
    this.concurrency = Math.max(8, size * 2);
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  run<Op extends TaskOp>(request: TaskRequest<Op>): Promise<TaskResponse<Op>> {
    if (this.closed) throw new Error('the worker pool is closed');
    return new Promise((resolve) => {
      this.queue.push({ request, pending: { resolve: resolve as (response: TaskResponse) => void } });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }

  private spawn(): Slot {
    const worker = new Worker(this.workerPath);
    const slot: Slot = { worker, busy: undefined };
    worker.on('message', (message: { response: TaskResponse }) => {
      const pending = slot.busy;
      slot.busy = undefined;
      pending?.resolve(message.response);
      this.dispatch();
    });
    worker.on('error', (error) => this.replace(slot, error));
    worker.on('exit', (code) => {
      if (!this.closed) this.replace(slot, new Error(`worker exited with code ${code}`));
    });
    return slot;
  }

  private replace(slot: Slot, error: Error): void {
    const index = this.slots.indexOf(slot);
    if (index === -1) return;
    slot.busy?.resolve({ ok: false, failure: { code: 'INTERNAL', message: `worker failed: ${error.message}` } });
    slot.busy = undefined;
    slot.worker.removeAllListeners();
    void slot.worker.terminate();
    if (this.closed) return;
    this.slots[index] = this.spawn();
    this.dispatch();
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.busy !== undefined) continue;
      const next = this.queue.shift();
      if (next === undefined) return;
      slot.busy = next.pending;
      const { buffer, byteOffset, byteLength } = next.request.bytes;
      const whole = byteOffset === 0 && byteLength === buffer.byteLength && buffer instanceof ArrayBuffer;
      slot.worker.postMessage({ request: next.request }, whole ? [buffer] : []);
    }
  }
}

