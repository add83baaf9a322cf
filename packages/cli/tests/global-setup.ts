import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

function newestSource(folder: string): number {
  let newest = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** The tests run the built binary: build it when dist/ is missing or older than src/. */
export default function setup(): void {
  if (!existsSync(join(packageDir, '../core/dist/index.js'))) {
    throw new Error('packages/core is not built: run `npm run build` at the repository root first');
  }
  const bin = join(packageDir, 'dist/bin.js');
  const sources = Math.max(newestSource(join(packageDir, 'src')), statSync(join(packageDir, 'tsup.config.ts')).mtimeMs);
  if (!existsSync(bin) || statSync(bin).mtimeMs < sources) {
    execFileSync(process.execPath, [join(packageDir, '../../node_modules/tsup/dist/cli-default.js')], { cwd: packageDir, stdio: 'inherit' });
  }
}
