// Clean one image file with the core library: `node --experimental-strip-types` is not needed,
// this file is compiled by the test suite (`tsc -p examples`) so it cannot rot.
import { readFile, writeFile } from 'node:fs/promises';
import { inspectImage, isSanitizeError, sanitizeImage } from '@image-sanitizer/core';

export async function cleanFile(source: string, target: string): Promise<void> {
  const input = new Uint8Array(await readFile(source));

  const report = inspectImage(input);
  console.log(`${source}: ${report.format}, ${report.removable.length} metadata containers to remove`);

  try {
    const { bytes, removed, kept } = sanitizeImage(input, { keepColorProfile: true, keepOrientation: true });
    await writeFile(target, bytes);
    console.log(`removed: ${removed.map((item) => `${item.container} (${item.kind})`).join(', ') || 'nothing'}`);
    console.log(`kept: ${kept.map((item) => item.kind).join(', ') || 'nothing'}`);
  } catch (error) {
    if (isSanitizeError(error)) {
      // Fail closed: nothing is written. Branch on the code, never on the message.
      console.error(`${source} refused: ${error.code} (${error.message})`);
      return;
    }
    throw error;
  }
}
