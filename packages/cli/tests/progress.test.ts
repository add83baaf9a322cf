import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeJpeg } from './helpers/images.js';
import { BIN, run, runCommand } from './helpers/run.js';
import { tempFolder } from './helpers/tmp.js';

// util-linux `script` gives the binary a pseudo-terminal, as a person's shell would.
const haveScript = spawnSync('sh', ['-c', 'command -v script'], { encoding: 'utf8' }).status === 0;

describe.skipIf(!haveScript)(haveScript ? 'progress bar' : 'progress bar: SKIPPED, util-linux `script` is not installed', () => {
  const work = tempFolder();
  mkdirSync(join(work, 'batch'));
  for (let i = 0; i < 25; i++) writeFileSync(join(work, `batch/${i}.jpg`), makeJpeg({ seed: i % 3 }));

  const inTerminal = (args: string[], term = 'xterm-256color') =>
    runCommand('script', ['-qec', [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(' '), '/dev/null'], {
      cwd: work,
      env: { ...process.env, TERM: term },
    });

  it('is drawn on a terminal for a long batch, then erased before the report', async () => {
    const { code, stdout } = await inTerminal(['clean', 'batch', '-o', 'tty-out']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/\rcleaning \[[#.]{30}\] +\d+% \d+\/25/);
    expect(stdout).toContain('100% 25/25');
    expect(stdout).toMatch(/\r\x1b\[2KCleaned 25 images/);
  });

  it('is not drawn with --no-progress, nor when stderr is a pipe', async () => {
    const quiet = await inTerminal(['clean', 'batch', '-o', 'tty-quiet', '--no-progress']);
    expect(quiet.stdout).not.toContain('cleaning [');
    const piped = await run(['clean', 'batch', '-o', 'piped'], { cwd: work });
    expect(piped.stderr).toBe('');
  });

  it('writes no escape code at all on a terminal whose TERM is dumb (or unset)', async () => {
    for (const [term, out] of [['dumb', 'tty-dumb'], ['', 'tty-no-term']]) {
      const { code, stdout } = await inTerminal(['clean', 'batch', '-o', out], term);
      expect(code).toBe(0);
      expect(stdout).not.toContain('\x1b');
      expect(stdout).not.toContain('cleaning [');
      expect(stdout).toContain('Cleaned 25 images');
    }
  });
});
