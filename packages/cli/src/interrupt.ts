import { removePendingTempFiles, stopWriting, writesInFlight } from './atomic-write.js';
import { EXIT } from './errors.js';

/** What each signal the CLI handles exits with: 128 + the signal's number, the shell convention. */
const SIGNAL_EXIT: Partial<Record<NodeJS.Signals, number>> = { SIGINT: EXIT.INTERRUPTED, SIGTERM: EXIT.TERMINATED };

/** Work to undo before exiting on a signal (erase the progress bar, ...). */
const cleanups = new Set<() => void>();

/**
 * On Ctrl-C (SIGINT, exit 130) or SIGTERM (exit 143): run the registered
 * cleanups, remove every temp file in flight, say so, and exit. An interrupted
 * run leaves each target as it was. Installed once, by `bin.ts`, for every command.
 */
export function installSignalHandlers(): void {
  for (const [signal, code] of Object.entries(SIGNAL_EXIT) as [NodeJS.Signals, number][]) {
    process.on(signal, () => {
      for (const cleanup of cleanups) cleanup();
      stopWriting();
      removePendingTempFiles();
      process.stderr.write(`\nimage-sanitizer: interrupted (${signal}); files not yet replaced are unchanged\n`);
      exitWhenWritesSettled(code, Date.now());
    });
  }
}

/** The longest the process waits for writes in flight before it exits anyway. */
const MAX_EXIT_WAIT_MS = 2000;

/**
 * Exit once no temp file's write is in flight. A temp file whose creation or flush
 * was on libuv's thread pool when the signal came can appear after the removal in
 * the handler: its write then sees `stopping` and removes it, which on a loaded
 * machine can take longer than any fixed pause. After `MAX_EXIT_WAIT_MS` the
 * names still listed are removed once more and the process exits regardless.
 */
function exitWhenWritesSettled(code: number, since: number): void {
  if (!writesInFlight() || Date.now() - since >= MAX_EXIT_WAIT_MS) {
    removePendingTempFiles();
    process.exit(code);
  }
  setTimeout(() => exitWhenWritesSettled(code, since), 10);
}

/** While `work` runs, `onInterrupt` runs first if a signal stops the process. */
export async function withInterruptCleanup<T>(work: () => Promise<T>, onInterrupt: () => void): Promise<T> {
  cleanups.add(onInterrupt);
  try {
    return await work();
  } finally {
    cleanups.delete(onInterrupt);
  }
}
