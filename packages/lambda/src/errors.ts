/** Machine-readable reason for an error raised by the Lambda adapter. */
export type PipelineErrorCode =
  /** The environment does not describe a valid configuration. */
  | 'CONFIG_INVALID'
  /** The object is larger than `MAX_OBJECT_BYTES`. */
  | 'OBJECT_TOO_LARGE'
  /** An event or SQS message body is not a shape the handler understands. */
  | 'EVENT_INVALID'
  /** The body ended before (or ran past) its Content-Length: a cut read, retried, never a rejection. */
  | 'BODY_TRUNCATED';

/** Base class of every error the adapter raises itself. Callers branch on `code`. */
export class PipelineError extends Error {
  override readonly name: string = 'PipelineError';
  readonly code: PipelineErrorCode;

  constructor(code: PipelineErrorCode, message: string) {
    super(message);
    this.code = code;
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

/** The configuration is invalid; `problems` lists every problem found, not just the first. */
export class ConfigError extends PipelineError {
  override readonly name = 'ConfigError';
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super('CONFIG_INVALID', `Invalid image-sanitizer configuration:\n  - ${problems.join('\n  - ')}`);
    this.problems = problems;
  }
}

/** The object exceeds the size cap; it was not (fully) read. */
export class ObjectTooLargeError extends PipelineError {
  override readonly name = 'ObjectTooLargeError';
  readonly limit: number;

  constructor(limit: number, size?: number) {
    super('OBJECT_TOO_LARGE', `Object is ${size === undefined ? 'larger than' : `${size} bytes, over`} the ${limit}-byte limit`);
    this.limit = limit;
  }
}

/** An event, or the body of an SQS message, cannot be read as an S3 notification. */
export class EventShapeError extends PipelineError {
  override readonly name = 'EventShapeError';

  constructor(message: string) {
    super('EVENT_INVALID', message);
  }
}

/**
 * The body held fewer (or more) bytes than its Content-Length: the read was
 * cut short, not the image. Thrown for a retry; the object is not rejected.
 */
export class TruncatedBodyError extends PipelineError {
  override readonly name = 'TruncatedBodyError';
  readonly expected: number;
  readonly received: number;

  constructor(expected: number, received: number) {
    super('BODY_TRUNCATED', `Read ${received} bytes of a body whose Content-Length is ${expected}`);
    this.expected = expected;
    this.received = received;
  }
}
