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
  private readonly removedItems: MetadataItem[] = [];
  readonly kept: MetadataItem[] = [];
  /** The last removed item, while it may still grow: its count and length live in plain fields until read. */
  private run: MetadataItem | undefined;
  private runCount = 0;
  private runLength = 0;

  constructor(readonly format: ImageFormat) {}

  /** Refuses the input: the one way a walker fails. */
  readonly fail: Fail = (code, message, offset) => {
    throw new SanitizeError(code, message, { format: this.format, offset });
  };

  /** Containers present in the input and absent from the output, runs merged. */
  get removed(): MetadataItem[] {
    this.closeRun();
    return this.removedItems;
  }

  /**
   * Records a removed container (or `count` adjacent ones of the same kind,
   * `length` bytes in all); one that continues a run of the same (kind,
   * container, label) extends it.
   */
  remove(kind: MetadataKind, container: string, offset: number, length: number, label?: string, count = 1): void {
    const run = this.run;
    if (run !== undefined && run.offset + this.runLength === offset && run.kind === kind && run.container === container && run.label === label) {
      this.runLength += length;
      this.runCount += count;
      return;
    }
    this.closeRun();
    const item: MetadataItem = label === undefined ? { kind, container, offset, length } : { kind, container, offset, length, label };
    this.add(this.removedItems, item);
    this.run = item;
    this.runCount = count;
    this.runLength = length;
  }

  /** Records a metadata container carried into the output. */
  keep(kind: MetadataKind, container: string, offset: number, length: number, label?: string): void {
    this.keepItem(label === undefined ? { kind, container, offset, length } : { kind, container, offset, length, label });
  }

  /** Records a kept item as it is (already built, e.g. by the HEIF movie rewriter). */
  keepItem(item: MetadataItem): void {
    this.add(this.kept, item);
  }

  /** Records an item as it is (already built, e.g. moved from kept to removed). */
  removeItem(item: MetadataItem): void {
    this.closeRun();
    this.run = undefined;
    this.add(this.removedItems, item);
  }

  private closeRun(): void {
    if (this.run === undefined || this.runCount < 2) return;
    this.run.length = this.runLength;
    this.run.count = this.runCount;
  }

  private add(list: MetadataItem[], item: MetadataItem): void {
    if (list.length >= MAX_REPORT_ITEMS) {
      this.fail('LIMIT_EXCEEDED', `More than MAX_REPORT_ITEMS (${MAX_REPORT_ITEMS}) separate metadata items`, item.offset);
    }
    list.push(item);
  }
}
