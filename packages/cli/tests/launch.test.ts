// bin/image-sanitizer.js (what npm links) starts dist/bin.js through V8's code cache (src/launch.ts). The
// cache is compiled code V8 runs unchecked, so it is used only from a folder private to the user: these
// tests run the real launcher with XDG_CACHE_HOME in a temp folder and look at what it writes and uses.
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import exifr from 'exifr';
import { describe, expect, it } from 'vitest';
import { makeJpeg, SECRETS } from './helpers/images.js';
import { runCommand } from './helpers/run.js';
import { tempFolder } from './helpers/tmp.js';

const LAUNCHER = fileURLToPath(new URL('../bin/image-sanitizer.js', import.meta.url));
const root = tempFolder('image-sanitizer-launch-');
const photos = join(root, 'photos');
mkdirSync(photos);
writeFileSync(join(photos, 'a.jpg'), makeJpeg({ seed: 1 }));
writeFileSync(join(photos, 'b.jpg'), makeJpeg({ seed: 2 }));

let runs = 0;
/** `clean photos -o <new folder>` through the launcher with the cache base `cacheHome`; the run must clean both files. */
async function cleanWith(cacheHome: string, env: Record<string, string> = {}): Promise<string> {
  const out = join(root, `out-${runs++}`);
  const result = await runCommand(process.execPath, [LAUNCHER, 'clean', photos, '-o', out], {
    env: { ...process.env, XDG_CACHE_HOME: cacheHome, IMAGE_SANITIZER_NO_CACHE: '', ...env },
  });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  for (const name of ['a.jpg', 'b.jpg']) {
    const bytes = readFileSync(join(out, name));
    expect(bytes.includes(Buffer.from(SECRETS.serial))).toBe(false);
    expect(await exifr.parse(bytes, { tiff: true }).catch(() => undefined)).toBeFalsy();
  }
  return out;
}

const cacheFiles = (folder: string) => (existsSync(folder) ? readdirSync(folder).filter((name) => /^bin-[0-9a-f]{8}-clean\.cache$/.test(name)) : []);

describe('the launcher and its code cache', () => {
  it('writes one cache file, private to the user, and runs from it next time without writing it again', async () => {
    const home = join(root, 'home-1');
    await cleanWith(home);
    const folder = join(home, 'image-sanitizer');
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    const [name] = cacheFiles(folder);
    expect(cacheFiles(folder)).toHaveLength(1);
    const file = join(folder, name);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const written = statSync(file, { bigint: true }).mtimeNs;
    await cleanWith(home);
    // V8 took the cache (had it refused it, the run would have written a new one) and this run compiled nothing new.
    expect(statSync(file, { bigint: true }).mtimeNs).toBe(written);
    expect(cacheFiles(folder)).toEqual([name]);
  });

  it('replaces a cache V8 refuses (a damaged file) and still runs', async () => {
    const home = join(root, 'home-2');
    await cleanWith(home);
    const folder = join(home, 'image-sanitizer');
    const [name] = cacheFiles(folder);
    writeFileSync(join(folder, name), Buffer.alloc(4096, 0x5a), { mode: 0o600 });
    await cleanWith(home);
    expect(readFileSync(join(folder, name)).equals(Buffer.alloc(4096, 0x5a))).toBe(false);
  });

  it('does not read a cache file others may write into: it is made again, private', async () => {
    const home = join(root, 'home-3');
    await cleanWith(home);
    const folder = join(home, 'image-sanitizer');
    const [name] = cacheFiles(folder);
    chmodSync(join(folder, name), 0o666);
    const before = statSync(join(folder, name), { bigint: true }).ino;
    await cleanWith(home);
    // Taken as missing, so written anew (a new file renamed over it), mode 0600.
    expect(statSync(join(folder, name)).mode & 0o777).toBe(0o600);
    expect(statSync(join(folder, name), { bigint: true }).ino).not.toBe(before);
  });

  it('uses no folder that others may write into, nor a symbolic link, nor any folder when turned off', async () => {
    const open = join(root, 'home-open', 'image-sanitizer');
    mkdirSync(open, { recursive: true });
    chmodSync(open, 0o777);
    await cleanWith(join(root, 'home-open'));
    expect(cacheFiles(open)).toEqual([]);

    const groupWritable = join(root, 'home-group', 'image-sanitizer');
    mkdirSync(groupWritable, { recursive: true });
    chmodSync(groupWritable, 0o770);
    await cleanWith(join(root, 'home-group'));
    expect(cacheFiles(groupWritable)).toEqual([]);

    const target = join(root, 'elsewhere');
    mkdirSync(target, { mode: 0o700 });
    mkdirSync(join(root, 'home-link'));
    symlinkSync(target, join(root, 'home-link', 'image-sanitizer'));
    await cleanWith(join(root, 'home-link'));
    expect(cacheFiles(target)).toEqual([]);

    await cleanWith(join(root, 'home-off'), { IMAGE_SANITIZER_NO_CACHE: '1' });
    expect(existsSync(join(root, 'home-off'))).toBe(false);
  });

  it.skipIf(process.getuid?.() !== 0)('uses no folder owned by another user (runs only as root, which can hand a folder to another user)', async () => {
    const foreign = join(root, 'home-foreign', 'image-sanitizer');
    mkdirSync(foreign, { recursive: true, mode: 0o700 });
    chownSync(foreign, 65534, 65534);
    await cleanWith(join(root, 'home-foreign'));
    expect(cacheFiles(foreign)).toEqual([]);
  });
});
