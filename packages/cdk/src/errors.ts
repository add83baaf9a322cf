/** Machine-readable reasons why the pipeline could not be built. */
export type PipelineErrorCode =
  /** One or more props are invalid; `problems` lists every one of them. */
  | 'INVALID_PROPS'
  /** The prebuilt Lambda bundle from `@image-sanitizer/lambda` is missing. */
  | 'BUNDLE_MISSING';

/** Thrown while the construct is being defined, before anything is synthesized. */
export class PipelineConfigError extends Error {
  public override readonly name = 'PipelineConfigError';
  public readonly code: PipelineErrorCode;
  /** Every problem found, each starting with the name of the prop it concerns. */
  public readonly problems: readonly string[];

  public constructor(code: PipelineErrorCode, message: string, problems: readonly string[] = []) {
    super(message);
    this.code = code;
    this.problems = problems;
  }
}
