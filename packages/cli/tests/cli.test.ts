import { accessSync, constants, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { makeJpeg } from './helpers/images.js';
import { BIN, run, runCommand } from './helpers/run.js';
import { tempFolder } from './helpers/tmp.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const work = tempFolder();
writeFileSync(join(work, 'photo.jpg'), makeJpeg());

describe('the binary', () => {
  it('is an executable node script with a shebang', () => {
    expect(readFileSync(BIN, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(() => accessSync(BIN, constants.X_OK)).not.toThrow();
  });

  it('runs directly and through the workspace link (npx image-sanitizer)', async () => {
    const direct = await runCommand(BIN, ['--version']);
    expect(direct.code).toBe(0);
    const version = JSON.parse(readFileSync(join(repoRoot, 'packages/cli/package.json'), 'utf8')).version as string;
    expect(direct.stdout.trim()).toBe(version);

    const linked = await runCommand(join(repoRoot, 'node_modules/.bin/image-sanitizer'), ['--version']);
    expect(linked.stdout.trim()).toBe(version);
    const npx = await runCommand('npx', ['--no-install', 'image-sanitizer', '--version'], { cwd: repoRoot });
    expect(npx.code).toBe(0);
    expect(npx.stdout.trim()).toBe(version);
  });
});

describe('help', () => {
  it.each([[['--help']], [['-h']], [[]], [['help']]])('%j prints the overview with every command', async (args) => {
    const { code, stdout } = await run(args);
    expect(code).toBe(0);
    for (const command of ['clean', 'inspect', 'check']) expect(stdout).toContain(`image-sanitizer ${command}`);
    expect(stdout).toContain('Exit codes');
  });

  it.each(['clean', 'inspect', 'check'])('%s --help prints usage with examples', async (command) => {
    for (const args of [[command, '--help'], ['help', command]]) {
      const { code, stdout } = await run(args);
      expect(code).toBe(0);
      expect(stdout).toMatch(new RegExp(`^Usage: image-sanitizer ${command} `));
      expect(stdout).toContain('Examples:');
    }
  });
});

describe('usage errors exit 2 with a sentence, not a stack trace', () => {
  it.each([
    [['frobnicate'], "unknown command 'frobnicate'"],
    [['--frobnicate'], "unknown option '--frobnicate'"],
    [['clean', 'photo.jpg'], 'needs either -o <outdir> or --in-place'],
    [['clean', 'photo.jpg', '-o', 'out', '--in-place'], 'not both'],
    [['clean', '-o', 'out'], 'needs at least one file or folder'],
    [['clean', 'photo.jpg', '-o'], 'needs a value'],
    [['clean', 'photo.jpg', '--in-place', '--colour'], "unknown option '--colour'"],
    [['clean', 'photo.jpg', '--in-place', '--jobs', 'many'], '--jobs must be a whole number'],
    [['clean', 'photo.jpg', '-o', 'photo.jpg'], "the output 'photo.jpg' exists and is not a folder"],
    [['check'], 'needs at least one file or folder'],
    [['check', 'missing.jpg'], "cannot find 'missing.jpg'"],
    [['inspect', 'photo.jpg', '--jobs', '2'], "unknown option '--jobs'"],
    [['help', 'nothing'], "unknown command 'nothing'"],
  ])('%j', async (args, message) => {
    const { code, stdout, stderr } = await run(args, { cwd: work });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(message);
    expect(stderr).toMatch(/Run 'image-sanitizer( \w+)? --help' for usage/);
    expect(stderr).not.toMatch(/\n\s+at /); // no stack frames
  });

  it('writes nothing when every path is missing', async () => {
    const { code, stderr } = await run(['clean', 'missing.jpg', 'gone/', '-o', 'never'], { cwd: work });
    expect(code).toBe(2);
    expect(stderr).toContain("none of the paths can be opened: 'missing.jpg' (no such file or folder), 'gone/' (no such file or folder)");
    expect(() => accessSync(join(work, 'never'))).toThrow();
  });
});
