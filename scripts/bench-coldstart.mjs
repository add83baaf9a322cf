// Cold init of the deployable bundle, side by side with importing the whole
// @aws-sdk/client-s3 (what the bundle used to load from the runtime), each in
// a fresh Node process, in interleaved rounds; medians and their ratio.
// Usage: node scripts/bench-coldstart.mjs   (part of `npm run bench`; needs `npm run build`)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'packages', 'lambda', 'dist', 'bundle', 'index.mjs');
const ROUNDS = Number(process.env.BENCH_COLDSTART_ROUNDS ?? 15);
const TARGET = 0.7;

/** Milliseconds one `import()` takes in a fresh process (the process's own start is not counted). */
function importTime(specifier, env = {}) {
  const code = `const t = performance.now(); await import(${JSON.stringify(specifier)}); process.stdout.write(String(performance.now() - t));`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
    cwd: join(root, 'packages', 'lambda'),
    env: { PATH: process.env.PATH, ...env },
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`import of ${specifier} failed: ${run.stderr}`);
  return Number(run.stdout);
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

if (!existsSync(bundle)) {
  console.log(`cold start: skipped, ${bundle} is missing (npm run build)`);
} else {
  // What Lambda sets, plus the function's own configuration.
  const lambdaEnv = {
    AWS_REGION: 'eu-west-1',
    AWS_LAMBDA_FUNCTION_NAME: 'image-sanitizer',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
    OUTPUT_BUCKET: 'bench-output',
    INPUT_BUCKET: 'bench-input',
    POWERTOOLS_SERVICE_NAME: 'image-sanitizer',
    POWERTOOLS_TRACE_ENABLED: 'true',
  };
  const bundleTimes = [];
  const sdkTimes = [];
  importTime('@aws-sdk/client-s3'); // warm the file cache for both
  importTime(pathToFileURL(bundle).href, lambdaEnv);
  for (let round = 0; round < ROUNDS; round++) {
    bundleTimes.push(importTime(pathToFileURL(bundle).href, lambdaEnv));
    sdkTimes.push(importTime('@aws-sdk/client-s3'));
  }
  const ratio = median(bundleTimes) / median(sdkTimes);
  console.log(`\ncold init, median of ${ROUNDS} interleaved fresh processes`);
  console.log('| what | init (ms) |');
  console.log('| --- | ---: |');
  console.log(`| deployable bundle (dist/bundle/index.mjs, handler built from its environment) | ${median(bundleTimes).toFixed(1)} |`);
  console.log(`| import of the whole @aws-sdk/client-s3 | ${median(sdkTimes).toFixed(1)} |`);
  console.log(`bundle / client-s3 = ${ratio.toFixed(2)} (target < ${TARGET}: ${ratio < TARGET ? 'met' : 'NOT met'})`);
  if (ratio >= TARGET) process.exitCode = 1;
}
