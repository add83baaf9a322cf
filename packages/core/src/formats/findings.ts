/**
 * The toolkit every walker shares: one way to refuse an input, one collector
 * of what was removed and kept.
 *
 * Positions follow one vocabulary: `offset` is where a container starts in
 * the input, `length` the size of the whole container.
 */
import { SanitizeError, type SanitizeErrorCode } from '../errors.js';
import type { ImageFormat, MetadataItem, MetadataKind } from '../types.js';

/** The codes a walker refuses an input with (`INTERNAL` and `INVALID_ARGUMENT` are not the input's doing). */
export type Refusal = Exclude<SanitizeErrorCode, 'INTERNAL' | 'INVALID_ARGUMENT'>;

/** Throws the walker's refusal. */
export type Fail = (code: Refusal, message: string, offset: number) => never;

/**
 * The most separate items one report holds. Runs of the same container are
 * merged into one item, so only an input that alternates thousands of kinds
 * of metadata reaches this; no real file does.
 */
export const MAX_REPORT_ITEMS = 10_000;

export class Findings {
  readonly removed: MetadataItem[] = [];
  readonly kept: MetadataItem[] = [];

  constructor(readonly format: ImageFormat) {}

  /** Refuses the input: the one way a walker fails. */
  readonly fail: Fail = (code, message, offset) => {
    throw new SanitizeError(code, message, { format: this.format, offset });
  };

  /** Records a removed container; one that continues a run of the same (kind, container, label) extends it. */
  remove(kind: MetadataKind, container: string, offset: number, length: number, label?: string): void {
    const last = this.removed[this.removed.length - 1];
    if (last !== undefined && last.kind === kind && last.container === container && last.label === label && last.offset + last.length === offset) {
      last.length += length;
      last.count = (last.count ?? 1) + 1;
      return;
    }
    this.add(this.removed, { kind, container, offset, length }, label);
  }

  /** Records a metadata container carried into the output. */
  keep(kind: MetadataKind, container: string, offset: number, length: number, label?: string): void {
    this.add(this.kept, { kind, container, offset, length }, label);
  }

  /** Records an item as it is (already built, e.g. moved from kept to removed). */
  removeItem(item: MetadataItem): void {
    this.add(this.removed, item, item.label);
  }

  private add(list: MetadataItem[], item: MetadataItem, label: string | undefined): void {
    if (list.length >= MAX_REPORT_ITEMS) {
      this.fail('LIMIT_EXCEEDED', `More than MAX_REPORT_ITEMS (${MAX_REPORT_ITEMS}) separate metadata items`, item.offset);
    }
    if (label !== undefined) item.label = label;
    else delete item.label;
    list.push(item);
  }
}
