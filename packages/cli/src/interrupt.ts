import { removePendingTempFiles, stopWriting } from './atomic-write.js';
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
      // A temp file whose creation was already on libuv's thread pool appears after the
      // removal above: its write then sees `stopping` and removes it. Give those a moment.
      setTimeout(() => {
        removePendingTempFiles();
        process.exit(code);
      }, 100);
    });
  }
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
