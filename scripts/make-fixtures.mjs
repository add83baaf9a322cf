// Writes the test fixtures in fixtures/, fixtures/manifest.json and fixtures/README.md.
// Deterministic: running it again produces the same bytes. Run: npm run fixtures
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brokenFixtures } from './fixtures/broken-fixtures.mjs';
import { gifFixtures } from './fixtures/gif-fixtures.mjs';
import { heifFixtures } from './fixtures/heif-fixtures.mjs';
import { jpegFixtures } from './fixtures/jpeg-fixtures.mjs';
import { pngFixtures } from './fixtures/png-fixtures.mjs';
import { readme } from './fixtures/readme.mjs';
import { secretsFor } from './fixtures/secrets.mjs';
import { dngFixtures, tiffFixtures } from './fixtures/tiff-fixtures.mjs';
import { checkDecoding, checkExifr, checkExifrThumbnail, checkKinds, checkSecrets, checkSecretsUnique } from './fixtures/verify.mjs';
import { webpFixtures } from './fixtures/webp-fixtures.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const FOLDERS = ['jpeg', 'png', 'webp', 'gif', 'tiff', 'heic', 'broken'];
const MAX_TOTAL_BYTES = 2 * 1024 * 1024;

const definitions = [
  ...jpegFixtures.map((f) => ({ format: 'jpeg', ...f })),
  ...pngFixtures.map((f) => ({ format: 'png', ...f })),
  ...webpFixtures.map((f) => ({ format: 'webp', ...f })),
  ...gifFixtures.map((f) => ({ format: 'gif', ...f })),
  ...tiffFixtures.map((f) => ({ format: 'tiff', ...f })),
  ...dngFixtures.map((f) => ({ format: 'tiff', ...f })),
  ...heifFixtures,
  ...brokenFixtures.map((f) => ({ expect: 'reject', decodable: false, carries: [], features: [], ...f })),
];

const manifest = [];
const outputs = new Map();
for (const definition of definitions) {
  const s = secretsFor(definition.file);
  const data = definition.build(s);
  if (definition.exifr) definition.exifr(s); // the expectations may name secrets too: ask before listing them
  const entry = {
    file: definition.file,
    format: definition.format,
    description: definition.description,
    carries: definition.carries,
    features: definition.features,
    secrets: s.list(),
    ...(s.utf16List().length ? { secretsUtf16: s.utf16List() } : {}),
    expect: definition.expect ?? 'clean',
    ...(definition.code ? { code: definition.code } : {}),
    orientation: definition.orientation ?? 1,
    icc: definition.icc ?? false,
    decodable: definition.decodable ?? true,
  };
  checkKinds(entry);
  checkSecrets(entry, data);
  const size = checkDecoding(entry, data, definition.source?.());
  if (size) Object.assign(entry, size);
  if (definition.exifr) await checkExifr(entry, data, definition.exifr(s));
  if (definition.exifrThumbnail) await checkExifrThumbnail(entry, data, s(definition.exifrThumbnail));
  manifest.push(entry);
  outputs.set(definition.file, data);
}
checkSecretsUnique(manifest);

const total = [...outputs.values()].reduce((n, data) => n + data.length, 0);
if (total > MAX_TOTAL_BYTES) throw new Error(`fixtures total ${total} bytes, over ${MAX_TOTAL_BYTES}`);

// Remove what the previous run wrote and this one does not, so a renamed fixture leaves no stale file.
const manifestPath = join(root, 'manifest.json');
const previous = existsSync(manifestPath) ? JSON.parse(readFileSync(manifestPath, 'utf8')) : [];
for (const { file } of previous) if (!outputs.has(file)) rmSync(join(root, file), { force: true });
for (const folder of FOLDERS) mkdirSync(join(root, folder), { recursive: true });
for (const [file, data] of outputs) writeFileSync(join(root, file), data);
writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
writeFileSync(join(root, 'README.md'), readme(manifest));

const counts = FOLDERS.map((folder) => `${readdirSync(join(root, folder)).length} ${folder}`).join(', ');
console.log(`fixtures: ${manifest.length} files (${counts}), ${total} bytes, manifest verified`);
