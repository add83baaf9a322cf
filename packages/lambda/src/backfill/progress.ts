/** What a progress line shows. `total` is undefined while it is still unknown (listing goes on). */
export interface ProgressState {
  readonly done: number;
  readonly total?: number;
  readonly failed: number;
}

const WIDTH = 30;

/**
 * A one-line progress bar on a terminal (redrawn in place, at most every 100 ms), or, when the
 * stream is not a terminal (CI, a pipe), a plain line every tenth of the way.
 */
export class ProgressBar {
  private lastDraw = 0;
  private lastTenth = -1;
  private readonly started = performance.now();

  constructor(
    private readonly label: string,
    private readonly stream: NodeJS.WritableStream & { isTTY?: boolean } = process.stderr,
  ) {}

  update(state: ProgressState, force = false): void {
    const now = performance.now();
    if (this.stream.isTTY) {
      if (!force && now - this.lastDraw < 100) return;
      this.lastDraw = now;
      this.stream.write(`\r${this.render(state)}\x1b[K`);
      return;
    }
    if (state.total === undefined || state.total === 0) return;
    const tenth = Math.floor((state.done / state.total) * 10);
    if (tenth === this.lastTenth && !force) return;
    this.lastTenth = tenth;
    this.stream.write(`${this.render(state)}\n`);
  }

  /** Draw the final state and end the line. */
  finish(state: ProgressState): void {
    if (this.stream.isTTY) this.stream.write(`\r${this.render(state)}\x1b[K\n`);
    else if (state.done !== 0 && this.lastTenth !== 10) this.stream.write(`${this.render(state)}\n`);
  }

  render(state: ProgressState): string {
    const seconds = (performance.now() - this.started) / 1000;
    const rate = seconds > 0 ? state.done / seconds : 0;
    const fraction = state.total ? Math.min(1, state.done / state.total) : 0;
    const filled = Math.round(fraction * WIDTH);
    const bar = state.total === undefined ? '·'.repeat(WIDTH) : '#'.repeat(filled) + '.'.repeat(WIDTH - filled);
    const count = state.total === undefined ? `${state.done}/?` : `${state.done}/${state.total}`;
    const failed = state.failed > 0 ? `, ${state.failed} failed` : '';
    return `${this.label} [${bar}] ${count}${failed}  ${rate.toFixed(0)}/s`;
  }
}
