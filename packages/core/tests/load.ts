import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(here, '../../..');
export const FIXTURES_DIR = join(REPO_ROOT, 'fixtures');
export const CORPUS_DIR = process.env.IMAGE_SANITIZER_CORPUS ?? resolve(REPO_ROOT, '../shared/corpus');

export interface FixtureEntry {
  file: string;
  format: string;
  description: string;
  carries: string[];
  secrets: string[];
  /** Secrets the fixture stores as UTF-16BE (ICC mluc text, Ducky). */
  secretsUtf16?: string[];
  expect: 'clean' | 'reject';
  code?: string;
  orientation: number;
  icc: boolean;
  decodable: boolean;
}

export function fixtureManifest(): FixtureEntry[] {
  return JSON.parse(readFileSync(join(FIXTURES_DIR, 'manifest.json'), 'utf8')) as FixtureEntry[];
}

export function readFixture(file: string): Uint8Array {
  return new Uint8Array(readFileSync(join(FIXTURES_DIR, file)));
}

export interface CorpusEntry {
  file: string;
  metadata: string;
  structure: string;
  note: string;
  broken: boolean;
}

/** The corpus manifest, or `undefined` when the corpus folder is absent. */
export function corpusManifest(): CorpusEntry[] | undefined {
  const manifest = join(CORPUS_DIR, 'MANIFEST.tsv');
  if (!existsSync(manifest)) return undefined;
  const [, ...rows] = readFileSync(manifest, 'utf8').trim().split('\n');
  return rows.map((row) => {
    const [file, , , , , metadata, structure, note] = row.split('\t');
    return { file, metadata, structure, note, broken: note.startsWith('broken') };
  });
}

export function readCorpus(file: string): Uint8Array {
  return new Uint8Array(readFileSync(join(CORPUS_DIR, file)));
}
