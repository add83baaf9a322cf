/** What the handler needs from a logger. Powertools `Logger` is one. */
export interface PipelineLogger {
  info(message: string, attributes: Record<string, unknown>): void;
  warn(message: string, attributes: Record<string, unknown>): void;
  error(message: string, attributes: Record<string, unknown>): void;
  /** Powertools: add the Lambda request id & co. to every line of this invocation. */
  addContext?(context: unknown): void;
}

/** A logger that keeps its lines in memory, for tests and the local pipeline. */
export class MemoryLogger implements PipelineLogger {
  readonly lines: Array<{ level: 'info' | 'warn' | 'error'; message: string } & Record<string, unknown>> = [];

  info(message: string, attributes: Record<string, unknown> = {}): void {
    this.lines.push({ ...attributes, level: 'info', message });
  }

  warn(message: string, attributes: Record<string, unknown> = {}): void {
    this.lines.push({ ...attributes, level: 'warn', message });
  }

  error(message: string, attributes: Record<string, unknown> = {}): void {
    this.lines.push({ ...attributes, level: 'error', message });
  }
}
