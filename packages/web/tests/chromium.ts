// Where Debian's Chromium is. The web tests skip with a printed reason without it, except in CI, where they fail.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

function findChromium(): string | undefined {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  for (const candidate of ['/usr/bin/chromium', '/usr/bin/chromium-browser']) if (existsSync(candidate)) return candidate;
  try {
    return execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

export const CHROMIUM = findChromium();
export const IN_CI = process.env.CI === 'true' || process.env.CI === '1';

/** The arguments for chromium.launch(); --no-sandbox because CI runs as root, where Chromium's sandbox cannot start. */
export const LAUNCH = { executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] };

if (CHROMIUM === undefined) {
  console.warn(
    IN_CI
      ? 'web tests: chromium not found — CI needs it (.ci/run installs it with apt-get install -y chromium)'
      : 'web tests: SKIPPED, chromium not found (apt-get install -y chromium, or set CHROMIUM_PATH)',
  );
}
