import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors.js';

export const COMMANDS = ['clean', 'inspect', 'check'] as const;
export type CommandName = (typeof COMMANDS)[number];

/** Options shared by every command: what `clean` would keep, and the output format. */
export interface CommonArgs {
  /** As given; `-` (alone) is standard input. */
  paths: string[];
  json: boolean;
  /** Finding no image is fine (exit 0) rather than a usage error (exit 2). */
  allowEmpty: boolean;
  keepColorProfile: boolean;
  keepOrientation: boolean;
}

export interface CleanArgs extends CommonArgs {
  command: 'clean';
  /** Where cleaned copies go; exactly one of `outDir` / `inPlace` / `toStdout`. */
  outDir?: string;
  inPlace: boolean;
  /** `clean -`: read the image from standard input, write the cleaned image to standard output. */
  toStdout: boolean;
  /** Worker threads; `undefined` = automatic (a pool for big batches). */
  jobs?: number;
  verbose: boolean;
  progress: boolean;
}

export interface InspectArgs extends CommonArgs {
  command: 'inspect';
}

export interface CheckArgs extends CommonArgs {
  command: 'check';
  jobs?: number;
  progress: boolean;
}

export type ParsedCommandLine =
  | CleanArgs
  | InspectArgs
  | CheckArgs
  | { command: 'help'; topic?: CommandName }
  | { command: 'version' };

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

const COMMON_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  'allow-empty': { type: 'boolean' },
  'no-keep-color-profile': { type: 'boolean' },
  'no-keep-orientation': { type: 'boolean' },
} satisfies OptionsConfig;

const BATCH_OPTIONS = {
  jobs: { type: 'string', short: 'j' },
  'no-progress': { type: 'boolean' },
} satisfies OptionsConfig;

const OPTIONS = {
  clean: {
    ...COMMON_OPTIONS,
    ...BATCH_OPTIONS,
    'out-dir': { type: 'string', short: 'o' },
    'in-place': { type: 'boolean' },
    verbose: { type: 'boolean', short: 'v' },
  },
  inspect: COMMON_OPTIONS,
  check: { ...COMMON_OPTIONS, ...BATCH_OPTIONS },
} satisfies Record<CommandName, OptionsConfig>;

function isCommand(word: string): word is CommandName {
  return (COMMANDS as readonly string[]).includes(word);
}

/** Turn `node:util` parse errors into sentences a person understands. */
function explainParseError(error: unknown, command: CommandName): UsageError {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  const option = /'([^']+)'/.exec(message)?.[1];
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return new UsageError(`unknown option '${option ?? message}' for '${command}'`, command);
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return new UsageError(
        option !== undefined && message.includes('argument missing')
          ? `option '${option}' needs a value`
          : `invalid option value: ${message}`,
        command,
      );
    default:
      return new UsageError(message, command);
  }
}

function parseJobs(value: string | undefined, command: CommandName): number | undefined {
  if (value === undefined) return undefined;
  const jobs = Number(value);
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > 64) {
    throw new UsageError(`--jobs must be a whole number from 1 to 64, got '${value}'`, command);
  }
  return jobs;
}

/** Parse `process.argv.slice(2)`. Throws `UsageError` for anything malformed. */
export function parseCommandLine(argv: readonly string[]): ParsedCommandLine {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h') return { command: 'help' };
  if (first === '--version' || first === '-V') return { command: 'version' };
  if (first === 'help') {
    const topic = rest[0];
    if (topic === undefined) return { command: 'help' };
    if (!isCommand(topic)) throw new UsageError(`unknown command '${topic}'`);
    return { command: 'help', topic };
  }
  if (!isCommand(first)) {
    throw new UsageError(first.startsWith('-') ? `unknown option '${first}'` : `unknown command '${first}'`);
  }
  const command = first;

  let parsed;
  try {
    parsed = parseArgs({ args: [...rest], options: OPTIONS[command], allowPositionals: true, strict: true });
  } catch (error) {
    throw explainParseError(error, command);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help === true) return { command: 'help', topic: command };

  const paths = parsed.positionals;
  if (paths.length === 0) throw new UsageError(`'${command}' needs at least one file or folder`, command);
  const stdin = paths.includes('-');
  if (stdin && paths.length > 1) throw new UsageError("'-' (standard input) cannot be combined with other paths", command);
  const common: CommonArgs = {
    paths,
    json: values.json === true,
    allowEmpty: values['allow-empty'] === true,
    keepColorProfile: values['no-keep-color-profile'] !== true,
    keepOrientation: values['no-keep-orientation'] !== true,
  };

  if (command === 'inspect') return { command, ...common };

  const jobs = parseJobs(values.jobs as string | undefined, command);
  const progress = values['no-progress'] !== true;
  if (command === 'check') return { command, ...common, jobs, progress };

  const outDir = values['out-dir'] as string | undefined;
  const inPlace = values['in-place'] === true;
  const verbose = values.verbose === true;
  if (stdin) {
    if (outDir !== undefined || inPlace) {
      throw new UsageError("'clean -' writes the cleaned image to standard output; it takes neither -o nor --in-place", command);
    }
    if (common.json) throw new UsageError("'clean -' writes the image to standard output, so it cannot also print --json there", command);
    return { command, ...common, inPlace: false, toStdout: true, jobs, verbose, progress: false };
  }
  if (outDir === undefined && !inPlace) {
    throw new UsageError("'clean' needs either -o <outdir> or --in-place", command);
  }
  if (outDir !== undefined && inPlace) {
    throw new UsageError("'clean' takes -o <outdir> or --in-place, not both", command);
  }
  if (outDir === '') throw new UsageError("option '-o, --out-dir' needs a folder name", command);
  return { command, ...common, outDir, inPlace, toStdout: false, jobs, verbose, progress };
}
