import { availableParallelism } from 'node:os';
import { runTask, type TaskOp, type TaskRequest, type TaskResponse } from './tasks.js';

/** Runs image tasks: inline on the main thread, or on a pool of worker threads. */
export interface TaskRunner {
  /** Worker threads used; 0 when the work runs on the main thread. */
  readonly workers: number;
  /** How many files the caller should keep in flight to keep the runner busy. */
  readonly concurrency: number;
  run<Op extends TaskOp>(request: TaskRequest<Op>): Promise<TaskResponse<Op>>;
  close(): Promise<void>;
}

/**
 * The automatic choice is a worker pool for batches of more than `POOL_MIN_FILES`
 * files totalling at least `POOL_MIN_BYTES`, of `POOL_MIN_AVERAGE_BYTES` or more
 * on average. The core's cost grows with the bytes (it walks the whole
 * entropy-coded data), while starting the workers costs a fixed ~0.1 s and every
 * file then crosses a thread boundary twice. Small files are dominated by the
 * file system, not the core: 500 JPEGs of 42 kB (21 MB) clean faster on the main
 * thread; 60 JPEGs of 5.6 MB are faster on the pool (~1.4 s against ~1.5-2.1 s inline).
 */
export const POOL_MIN_FILES = 32;
export const POOL_MIN_BYTES = 16 * 1024 * 1024;
export const POOL_MIN_AVERAGE_BYTES = 256 * 1024;

/**
 * Images are sanitized one at a time on the main thread (no start-up cost, right for
 * small batches). `check` and `clean --in-place` keep a few files in flight, so that
 * the in-place flushes overlap on libuv's thread pool; `clean -o` does not use
 * `run()` at all but goes file by file, synchronously (`cleanCopiesInline`).
 */
export class InlineRunner implements TaskRunner {
  readonly workers = 0;
  /** Enough writes in flight to keep libuv's 4 threads busy while the main thread reads and sanitizes. */
  readonly concurrency = 16;

  async run<Op extends TaskOp>(request: TaskRequest<Op>): Promise<TaskResponse<Op>> {
    return runTask(request);
  }

  async close(): Promise<void> {}
}

/**
 * Pick the runner for a batch: `--jobs 1` is inline, `--jobs N` a pool of N;
 * automatically, a pool with one worker per core (up to 8) for a big batch on a
 * machine with more than one core, inline otherwise.
 */
export async function chooseRunner(files: readonly { size: number }[], jobs: number | undefined): Promise<TaskRunner> {
  if (jobs !== undefined) return jobs === 1 ? new InlineRunner() : startPool(jobs);
  const bytes = files.reduce((sum, file) => sum + file.size, 0);
  const big = files.length > POOL_MIN_FILES && bytes >= POOL_MIN_BYTES && bytes / files.length >= POOL_MIN_AVERAGE_BYTES;
  if (!big) return new InlineRunner();
  // Asked only for a big batch: a small one needs no core count (its first call cost ~5 ms in a profile).
  const cores = availableParallelism();
  return cores > 1 ? startPool(Math.min(cores, 8)) : new InlineRunner();
}

/** `node:worker_threads` is loaded only when a pool is started. */
async function startPool(size: number): Promise<TaskRunner> {
  const { WorkerPool } = await import('./worker-pool.js');
  return new WorkerPool(size);
}

/** Run `work` over `items` with at most `limit` in flight; results keep the items' order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index], index);
    }
  });
  await Promise.all(lanes);
  return results;
}
