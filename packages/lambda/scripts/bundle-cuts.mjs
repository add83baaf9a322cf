// What the Lambda bundle leaves out of its dependencies, and why each is safe (scripts/bundle.mjs).
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const stubs = join(dirname(fileURLToPath(import.meta.url)), 'bundle-stubs');

/** S3's schema module, in @aws-sdk/client-s3's ES module build. */
export const S3_SCHEMAS = /\/@aws-sdk\/client-s3\/dist-es\/schemas\/schemas_0\.js$/;

/**
 * `source` with every computed key `[_name]:` whose `_name` is a top-level string constant of the
 * same file (`const _name = "...";`) written as that string: the same objects, without the
 * computed keys that stop tree-shaking (see the `s3-schema-keys` cut).
 * @param {string} source
 */
export function inlineSchemaKeys(source) {
  const strings = new Map([...source.matchAll(/^const (_\w+) = ("[^"\\]*");$/gm)].map(([, name, literal]) => [name, literal]));
  return source.replace(/\[(_\w+)\]:/g, (key, name) => (strings.has(name) ? `${strings.get(name)}:` : key));
}

/**
 * `source` with each `await import("<specifier>")` of `specifiers` made a static import of the same
 * module (see the `static-imports` cut). Throws when one is not there, so an SDK update that
 * moves it is noticed.
 * @param {string} source
 * @param {readonly string[]} specifiers
 */
export function staticImports(source, specifiers) {
  let result = source;
  const imports = specifiers.map((specifier, index) => {
    const dynamic = `await import(${JSON.stringify(specifier)})`;
    if (!result.includes(dynamic)) throw new Error(`${dynamic} not found: check the static-imports cut`);
    result = result.replaceAll(dynamic, `__static${index}`);
    return `import * as __static${index} from ${JSON.stringify(specifier)};\n`;
  });
  return imports.join('') + result;
}

/** The files whose `import()`s the `static-imports` cut makes static, and what they import. */
const STATIC_IMPORTS = [
  { file: /\/@smithy\/core\/dist-es\/submodules\/protocols\/HttpProtocol\.js$/, specifiers: ['@smithy/core/event-streams'] },
  { file: /\/@aws-sdk\/credential-provider-node\/dist-es\/remoteProvider\.js$/, specifiers: ['@smithy/credential-provider-imds', '@aws-sdk/credential-provider-http'] },
  {
    file: /\/@aws-sdk\/credential-provider-node\/dist-es\/defaultProvider\.js$/,
    specifiers: ['@aws-sdk/credential-provider-sso', '@aws-sdk/credential-provider-ini', '@aws-sdk/credential-provider-process', '@aws-sdk/credential-provider-web-identity'],
  },
];

/** Resolve `filter` (imported from a file of package `from`) to a file of ours instead. */
function replace(name, filter, from, path) {
  return {
    name,
    setup(build) {
      build.onResolve({ filter }, ({ importer }) => (from === undefined || importer.includes(`/node_modules/${from}/`) ? { path } : undefined));
    },
  };
}

export const CUTS = [
  // The SDK's default credential chain tries the environment first, and Lambda always puts the
  // execution role's credentials there: the SSO, profile-file, credential-process and
  // web-identity providers (and the STS/SSO/sign-in clients they carry, @aws-sdk/nested-clients)
  // are never reached. Each is replaced by a link that passes to the next, as the real one does
  // when it finds nothing; the container and instance-metadata providers stay.
  replace('credential-providers', /^@aws-sdk\/credential-provider-(sso|ini|process|web-identity)$/, undefined, join(stubs, 'unused-credential-providers.mjs')),
  // aws-xray-sdk-core's entry loads every patcher (AWS SDK v2 with semver, http, promise), the
  // EC2/ECS/Beanstalk plugins and the SQL helpers; Powertools Tracer and the function use the
  // v3 client patcher, segments and context only (bundle-stubs/aws-xray-sdk-core.cjs says which).
  replace('xray-entry', /^aws-xray-sdk-core$/, undefined, join(stubs, 'aws-xray-sdk-core.cjs')),
  // The X-Ray SDK's default AWS whitelist (which request parameters go into traces): the function
  // replaces it at init with its own (S3_TRACE_WHITELIST, src/tracing.ts), before any request.
  // An empty list records fewer parameters, never more.
  replace('xray-whitelist', /\/resources\/aws_whitelist\.json$/, 'aws-xray-sdk-core', join(stubs, 'empty-aws-whitelist.json')),
  // The X-Ray SDK's centralized sampler (rule and target pollers, its own HTTP client): in Lambda
  // the SDK swaps in the local sampler as it loads (env/aws_lambda.js), and Lambda's trace header
  // decides sampling anyway. The local sampler stands in for it.
  {
    name: 'xray-sampler',
    setup(build) {
      build.onResolve({ filter: /\/default_sampler$/ }, ({ importer, resolveDir }) =>
        importer.includes('/node_modules/aws-xray-sdk-core/') ? build.resolve('./local_sampler', { resolveDir: join(resolveDir, 'sampling'), kind: 'require-call' }) : undefined,
      );
    },
  },
  // S3's schema module (every shape of every S3 operation, 138 KB) writes its trait keys as
  // computed properties (`{ [_hH]: _xarp }`, `_hH` a string constant of the same file), which
  // esbuild must keep as possible side effects, so no unused shape could be dropped. Writing the
  // constant's string in its place (`{ "httpHeader": _xarp }`) means the same object and lets
  // tree-shaking drop the shapes of the operations the function never sends.
  {
    name: 's3-schema-keys',
    setup(build) {
      build.onLoad({ filter: S3_SCHEMAS }, async ({ path }) => ({ contents: inlineSchemaKeys(await readFile(path, 'utf8')), loader: 'js' }));
    },
  },
  // esbuild must wrap the target of an `import()` in a lazy initializer, and with it every module
  // that one imports, which V8 then compiles twice (pre-parsed with the file, in full when first
  // run). HttpProtocol's import() of the event-stream module (which the S3 client's runtime
  // configuration imports statically anyway) and the credential chain's import() of the container
  // and instance-metadata providers (which import @smithy/core's protocols and config) put most of
  // @smithy/core (~230 KB unminified) in such wrappers, all run at init. Importing them statically
  // loads a few KB of side-effect-free modules at init that were loaded on demand.
  {
    name: 'static-imports',
    setup(build) {
      for (const { file, specifiers } of STATIC_IMPORTS) {
        build.onLoad({ filter: file }, async ({ path }) => ({ contents: staticImports(await readFile(path, 'utf8'), specifiers), loader: 'js' }));
      }
    },
  },
];
