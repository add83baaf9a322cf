/**
 * A one-line progress bar on stderr for long batches. It is drawn only where
 * terminal control codes mean something: stderr is a terminal and `TERM` is
 * set and not `dumb` (Emacs shells, some CI logs). Anywhere else it is silent.
 */
export interface Progress {
  tick(): void;
  done(): void;
}

/** Batches shorter than this finish before a bar is worth drawing. */
export const PROGRESS_MIN_FILES = 20;

const REDRAW_MS = 100;
const BAR_WIDTH = 30;

const silent: Progress = { tick() {}, done() {} };

/** Whether `stream` understands escape codes (`\r` and erase-line). */
export function understandsEscapes(stream: NodeJS.WriteStream, term: string | undefined = process.env.TERM): boolean {
  return stream.isTTY === true && term !== undefined && term !== '' && term !== 'dumb';
}

export function createProgress(total: number, label: string, enabled: boolean, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!enabled || total < PROGRESS_MIN_FILES || !understandsEscapes(stream)) return silent;
  let count = 0;
  let lastDraw = 0;
  const draw = () => {
    lastDraw = Date.now();
    const filled = Math.round((count / total) * BAR_WIDTH);
    const percent = String(Math.floor((count / total) * 100)).padStart(3);
    stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${percent}% ${count}/${total}`);
  };
  draw();
  return {
    tick() {
      count++;
      if (Date.now() - lastDraw >= REDRAW_MS || count === total) draw();
    },
    done() {
      stream.write('\r\x1b[2K'); // erase the bar so the report starts on a clean line
    },
  };
}
