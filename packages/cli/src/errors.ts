/** Process exit codes, the same for every command. */
export const EXIT = {
  /** Every file was cleaned / is clean / could be inspected. */
  OK: 0,
  /** At least one file was rejected, carries removable metadata, or could not be read. */
  FAILED: 1,
  /** The command line is wrong: unknown option, missing argument, path not found. */
  USAGE: 2,
  /** A bug in the CLI itself. */
  INTERNAL: 3,
  /** Interrupted by SIGINT, Ctrl-C (128 + 2). */
  INTERRUPTED: 130,
  /** Stopped by SIGTERM (128 + 15), as `kill`, CI runners and container stops send it. */
  TERMINATED: 143,
} as const;

/** A mistake on the command line. Printed without a stack trace; exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError' as const;
  readonly code = 'USAGE' as const;
  /** The command whose `--help` the message should point to, when known. */
  readonly command?: string;

  constructor(message: string, command?: string) {
    super(message);
    if (command !== undefined) this.command = command;
  }
}

/**
 * Why a file was not processed, in addition to the core's `SanitizeError` codes
 * (`UNSUPPORTED_FORMAT`, `TRUNCATED`, `MALFORMED`, `CHECKSUM_MISMATCH`, `LIMIT_EXCEEDED`, `INTERNAL`).
 */
export type FileErrorCode =
  /** A path named on the command line does not exist. */
  | 'NOT_FOUND'
  /** The file could not be read (permissions, vanished, is a directory, ...). */
  | 'READ_FAILED'
  /** The cleaned image could not be written; the original is untouched. */
  | 'WRITE_FAILED'
  /** The file is larger than the CLI reads into memory. */
  | 'FILE_TOO_LARGE';

/** A failure attached to one file, as it crosses the worker boundary and lands in reports. */
export interface FileFailure {
  code: string;
  message: string;
}

/** Human wording of an errno, for messages about files. */
export function describeIoError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    case 'ENOSPC':
      return 'no space left on device';
    case 'EROFS':
      return 'read-only file system';
    case 'EXDEV':
      return 'cannot rename across file systems';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case 'ENAMETOOLONG':
      return 'name too long';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
