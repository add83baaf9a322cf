import { parseCommandLine } from './args.js';
import { EXIT, UsageError } from './errors.js';
import { installSignalHandlers } from './interrupt.js';
import { runCheck } from './commands/check.js';
import { runClean } from './commands/clean.js';

declare const __CLI_VERSION__: string;

async function main(argv: readonly string[]): Promise<number> {
  const parsed = parseCommandLine(argv);
  switch (parsed.command) {
    // The help text (and the format lists it builds from the core) only when asked for.
    case 'help':
      process.stdout.write(`${(await import('./help.js')).helpText(parsed.topic)}\n`);
      return EXIT.OK;
    case 'version':
      process.stdout.write(`${__CLI_VERSION__}\n`);
      return EXIT.OK;
    // `clean` and `check` are loaded with this file (all they need but the core, in one
    // round of module reads); `inspect` is loaded when asked for, so they never pay for exifr.
    case 'clean':
      return runClean(parsed);
    case 'inspect':
      return (await import('./commands/inspect.js')).runInspect(parsed);
    case 'check':
      return runCheck(parsed);
  }
}

function fail(error: unknown): number {
  if (error instanceof UsageError) {
    const help = error.command === undefined ? 'image-sanitizer --help' : `image-sanitizer ${error.command} --help`;
    process.stderr.write(`image-sanitizer: ${error.message}\nRun '${help}' for usage.\n`);
    return EXIT.USAGE;
  }
  const detail = process.env.IMAGE_SANITIZER_DEBUG ? (error as Error)?.stack : (error as Error)?.message;
  process.stderr.write(`image-sanitizer: internal error: ${detail ?? String(error)}\n`);
  process.stderr.write('This is a bug; please report it (set IMAGE_SANITIZER_DEBUG=1 for a stack trace).\n');
  return EXIT.INTERNAL;
}

// A closed pipe (`image-sanitizer inspect x.jpg | head -1`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? EXIT.OK);
  throw error;
});

installSignalHandlers();
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.exitCode = fail(error);
  },
);
