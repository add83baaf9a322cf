/**
 * Starts `dist/bin.js` with V8's code cache: compiling the bundle (the CLI
 * and the whole core) is a tenth of a short run's time, and the cache saves
 * most of it (`npm run bench` in packages/cli). Node 22.1+ keeps such a
 * cache itself (`module.enableCompileCache`); on Node 20 this file does the
 * same with `vm.Script`'s `cachedData`.
 *
 * A code cache is compiled code that V8 runs without checking it, so it is
 * kept where only the user can write: `$XDG_CACHE_HOME/image-sanitizer` (or
 * `~/.cache/image-sanitizer`), a real folder (not a symbolic link) owned by
 * the user, with no group or other permission. Anything else, and on systems
 * without user ids (Windows), the bundle is compiled as usual. Each cache file
 * is named after the bundle (path, size, modification time, inode: any build
 * or install makes a new name), the Node version, the architecture, the V8
 * flags and the command, and is written to a temporary name and renamed, so
 * a run never reads another build's or a half-written cache; and it is read
 * only when the open file is the user's own and no one else may write it.
 * V8 also refuses a cache made by another V8 or for a source of another
 * length. (Named by stat, not by a hash of the source: loading node:crypto
 * alone costs 8 ms.)
 * `IMAGE_SANITIZER_NO_CACHE=1` turns it off.
 */
import fs from 'node:fs';
import Module from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import vm from 'node:vm';

/**
 * Each command has a cache of its own: V8 puts in it the functions compiled
 * by the run that writes it (at exit), and a cache is written only when it is
 * missing or V8 refused it, so a `--version` run's few functions never stand
 * in for what `clean` needs. (Asking V8 for the cache at every exit, to see
 * whether it grew, cost 4 ms per run.)
 */
const COMMANDS = new Set(['clean', 'check', 'inspect']);

/** A cache file's name: `bin-`, 8 hex digits, the command (none before there was one per command). */
const CACHE_NAME = /^bin-[0-9a-f]{8}(-[a-z]+)?\.cache$/;

export function launch(bundle: string): void {
  const folder = process.env.IMAGE_SANITIZER_NO_CACHE ? undefined : privateCacheFolder();
  if (folder === undefined) {
    require(bundle);
    return;
  }
  const enableCompileCache = (Module as { enableCompileCache?: (directory: string) => unknown }).enableCompileCache;
  if (enableCompileCache !== undefined) {
    enableCompileCache(folder);
    require(bundle);
    return;
  }
  runCached(bundle, folder);
}

/** The cache folder, made when missing; undefined unless it is private to this user. */
function privateCacheFolder(): string | undefined {
  const uid = process.getuid?.();
  if (uid === undefined) return undefined;
  try {
    const xdg = process.env.XDG_CACHE_HOME;
    const base = xdg?.startsWith('/') ? xdg : join(homedir(), '.cache');
    const folder = join(base, 'image-sanitizer');
    fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
    const info = fs.lstatSync(folder);
    return info.isDirectory() && info.uid === uid && (info.mode & 0o077) === 0 ? folder : undefined;
  } catch {
    return undefined;
  }
}

/** Compile and run the CommonJS `bundle` as `require` would, with the code cache in `folder`. */
function runCached(bundle: string, folder: string): void {
  const { size, mtimeNs, ino } = fs.statSync(bundle, { bigint: true });
  const source = fs.readFileSync(bundle, 'utf8');
  const build = fnv1a(`${process.version} ${process.arch} ${process.execArgv.join(' ')} ${bundle} ${size} ${mtimeNs} ${ino}`);
  const command = COMMANDS.has(process.argv[2] ?? '') ? process.argv[2] : 'other';
  const file = join(folder, `bin-${build}-${command}.cache`);
  const cachedData = readOwnFile(file);
  // Wrapped as Node wraps a CommonJS module; the shebang line becomes a comment.
  const body = source.startsWith('#!') ? `//${source.slice(2)}` : source;
  const wrapped = `(function (exports, require, module, __filename, __dirname) { ${body}\n});`;
  const script = new vm.Script(wrapped, { filename: bundle, cachedData });
  if (script.cachedDataRejected === false) return runScript(script, bundle);
  // Missing or refused: at exit the functions this run compiled are in the script's code too, and go into the cache.
  process.once('exit', () => {
    try {
      const data = script.createCachedData();
      const temporary = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(temporary, data, { mode: 0o600, flag: 'wx' });
      fs.renameSync(temporary, file);
      // The caches of earlier builds and Node versions are of no further use.
      for (const name of fs.readdirSync(folder)) {
        if (CACHE_NAME.test(name) && !name.startsWith(`bin-${build}-`)) fs.rmSync(join(folder, name), { force: true });
      }
    } catch {
      // A cache is only a speed-up: a full disk or a read-only home is no error.
    }
  });
  runScript(script, bundle);
}

/** Run the wrapped CommonJS `bundle` as `require` would. */
function runScript(script: vm.Script, bundle: string): void {
  const module = { exports: {}, filename: bundle, id: bundle, loaded: false };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run.call(module.exports, module.exports, Module.createRequire(bundle), module, bundle, dirname(bundle));
}

/**
 * The bytes of `file` when it is a regular file of this user that no one else
 * may write (checked on the open file, so a name swapped after the folder's
 * check gives nothing); undefined otherwise, or when there is none.
 */
function readOwnFile(file: string): Buffer | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  } catch {
    return undefined;
  }
  try {
    const info = fs.fstatSync(fd);
    if (!info.isFile() || info.uid !== process.getuid?.() || (info.mode & 0o022) !== 0) return undefined;
    return fs.readFileSync(fd);
  } catch {
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}

/** 32-bit FNV-1a of `text`, as 8 hex digits: a short file name, not a secret. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(16).padStart(8, '0');
}
