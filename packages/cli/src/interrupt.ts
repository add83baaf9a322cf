import { removePendingTempFiles } from './atomic-write.js';
import { EXIT } from './errors.js';

/**
 * While `work` runs, Ctrl-C / SIGTERM removes every temp file in flight before
 * exiting with 130, so an interrupted run leaves each target as it was.
 */
export async function withInterruptCleanup<T>(work: () => Promise<T>, onInterrupt: () => void = () => {}): Promise<T> {
  const handler = (signal: NodeJS.Signals) => {
    onInterrupt();
    removePendingTempFiles();
    process.stderr.write(`\nimage-sanitizer: interrupted (${signal}); files not yet replaced are unchanged\n`);
    process.exit(EXIT.INTERRUPTED);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  try {
    return await work();
  } finally {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  }
}
