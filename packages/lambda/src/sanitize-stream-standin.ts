// TEMPORARY: replaced by @image-sanitizer/core's SanitizeStream once it is on main. Same API, whole-buffer inside.
import { sanitizeImage, type ImageFormat, type MetadataItem, type SanitizeOptions } from '@image-sanitizer/core';

export class SanitizeStream extends TransformStream<Uint8Array, Uint8Array> {
  readonly result: Promise<{ format: ImageFormat; removed: MetadataItem[]; kept: MetadataItem[] }>;

  constructor(options?: SanitizeOptions) {
    const chunks: Uint8Array[] = [];
    let settle!: (value: { format: ImageFormat; removed: MetadataItem[]; kept: MetadataItem[] }) => void;
    let fail!: (error: unknown) => void;
    const result = new Promise<{ format: ImageFormat; removed: MetadataItem[]; kept: MetadataItem[] }>((resolve, reject) => {
      settle = resolve;
      fail = reject;
    });
    super({
      transform(chunk) {
        chunks.push(chunk);
      },
      flush(controller) {
        try {
          const out = sanitizeImage(Buffer.concat(chunks), options);
          for (let at = 0; at < out.bytes.length; at += 1 << 20) controller.enqueue(out.bytes.subarray(at, at + (1 << 20)));
          settle({ format: out.format, removed: out.removed, kept: out.kept });
        } catch (error) {
          fail(error);
          throw error;
        }
      },
    });
    this.result = result;
    result.catch(() => {});
  }
}
