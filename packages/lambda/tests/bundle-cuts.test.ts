// The Lambda bundle's cuts (scripts/bundle-cuts.mjs) that rewrite a dependency instead of leaving
// one out: the result must be the same code. (The others run under tests/dist.test.ts.)
import { build } from 'esbuild';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CUTS, inlineSchemaKeys } from '../scripts/bundle-cuts.mjs';

const PACKAGE = join(import.meta.dirname, '..');
const SCHEMAS = '@aws-sdk/client-s3/dist-es/schemas/schemas_0.js';

/** S3's schema module, bundled alone (with the given plugins) and imported. */
async function schemaModule(plugins: typeof CUTS): Promise<Record<string, unknown>> {
  const result = await build({
    stdin: { contents: `export * from '${SCHEMAS}';`, resolveDir: PACKAGE, loader: 'js' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    write: false,
    logLevel: 'silent',
    plugins,
  });
  const file = join(mkdtempSync(join(tmpdir(), 'image-sanitizer-schemas-')), 'schemas.mjs');
  writeFileSync(file, result.outputFiles[0]!.text);
  return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
}

/**
 * Every export as plain data: a reference to another export by its name, a thunk (`() => Shape$`)
 * by what it returns, a class by its name, a Map as its entries. Two modules with the same
 * description hold the same schemas.
 */
function describeExports(exports: Record<string, unknown>): Record<string, unknown> {
  const names = new Map(Object.entries(exports).map(([name, value]) => [value, name]));
  const plain = (value: unknown, depth: number): unknown => {
    if (depth > 0 && names.has(value)) return `export ${names.get(value)}`;
    if (depth > 20) throw new Error('schema deeper than 20 levels');
    if (typeof value === 'function') {
      if (value.prototype === undefined && value.length === 0) return { thunk: plain((value as () => unknown)(), depth + 1) };
      return `function ${value.name}`;
    }
    if (value instanceof Map) return [...value].map(([key, item]) => [plain(key, depth + 1), plain(item, depth + 1)]);
    if (Array.isArray(value)) return value.map((item) => plain(item, depth + 1));
    if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, plain(item, depth + 1)]));
    return value;
  };
  return Object.fromEntries(Object.entries(exports).map(([name, value]) => [name, plain(value, 0)]));
}

describe('s3-schema-keys: S3 schema trait keys written as strings', () => {
  it('rewrites the computed keys of the schema module', () => {
    // Prepare
    const source = readFileSync(createRequire(import.meta.url).resolve(SCHEMAS), 'utf8');

    // Act
    const rewritten = inlineSchemaKeys(source);

    // Assess
    const computed = (code: string) => code.match(/\[_\w+\]:/g) ?? [];
    expect(computed(source).length).toBeGreaterThan(1000);
    expect(computed(rewritten)).toEqual([]);
  });

  it('leaves every shape, operation and error registry of the module the same', async () => {
    // Act
    const original = await schemaModule([]);
    const rewritten = await schemaModule(CUTS.filter((cut) => cut.name === 's3-schema-keys'));

    // Assess
    expect(Object.keys(original).length).toBeGreaterThan(400);
    expect(describeExports(rewritten)).toEqual(describeExports(original));
  });
});
