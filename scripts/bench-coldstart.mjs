// Cold start of the deployable bundle, side by side with the whole @aws-sdk/client-s3 (what the
// function used to load from the runtime), each in a fresh Node process with the environment
// Lambda's nodejs24.x runtime gives the function (LAMBDA_ENV below), in interleaved rounds.
// Two rows, each the median of the per-round ratios:
//   init                    bundle: import it (the handler is built from its environment there);
//                           client-s3: import it.
//   init + first invocation bundle: the import, then the handler once on an SQS message announcing a
//                           4.7 kB JPEG; client-s3: the import, a client, then the same S3 requests
//                           the handler sent. Both talk to a stub S3 on 127.0.0.1 (STUB_S3 below);
//                           the bench checks that both sides sent the same requests.
// The bundle runs with Powertools Tracer active (the Lambda variables switch it on); its X-Ray
// documents go to a UDP listener here, and the bench checks that they arrived.
// Usage: node scripts/bench-coldstart.mjs   (part of `npm run bench`; needs `npm run build`)
//        BENCH_COLDSTART_ROUNDS=31 for more rounds; BENCH_COLDSTART_BUNDLE=file.mjs to measure another build.
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const packageDir = join(root, 'packages', 'lambda');
const bundle = process.env.BENCH_COLDSTART_BUNDLE ?? join(packageDir, 'dist', 'bundle', 'index.mjs');
const image = readFileSync(join(root, 'fixtures', 'jpeg', 'exif-gps-thumbnail.jpg'));
const ROUNDS = Number(process.env.BENCH_COLDSTART_ROUNDS ?? 15);
const TARGET = 0.7;
const INPUT_BUCKET = 'bench-input';
const OUTPUT_BUCKET = 'bench-output';
const KEY = 'photos/bench.jpg';
const ETAG = '"7e3b4f2a9c1d8e6b5a4f3e2d1c0b9a88"';

/**
 * The environment of a nodejs24.x function as Lambda starts it (the "defined runtime environment
 * variables" of the Lambda developer guide), with placeholder values, plus the function's own
 * variables as the CDK construct sets them (packages/cdk/src/defaults.ts). Nothing else is
 * inherited from this process: in particular NODE_EXTRA_CA_CERTS, which this machine sets and
 * which adds ~0.1 s to every Node start, is unset on both sides (nodejs20.x and later do not set it).
 */
function lambdaEnv(s3Endpoint, xrayAddress) {
  return {
    PATH: process.env.PATH, // the runtime's is /var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    _HANDLER: 'index.handler',
    // Read by Powertools (Tracer turns itself off outside Lambda) and by the SDK's user agent.
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    // Read by the X-Ray SDK at import: it sets itself up for Lambda (facade segment, no sampling pollers).
    LAMBDA_TASK_ROOT: '/var/task',
    LAMBDA_RUNTIME_DIR: '/var/runtime',
    AWS_LAMBDA_RUNTIME_API: '127.0.0.1:9001',
    AWS_REGION: 'eu-west-1',
    AWS_DEFAULT_REGION: 'eu-west-1',
    AWS_LAMBDA_FUNCTION_NAME: 'image-sanitizer',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/image-sanitizer',
    AWS_LAMBDA_LOG_STREAM_NAME: '2026/12/02/[$LATEST]0123456789abcdef0123456789abcdef',
    // The execution role's credentials: Lambda puts them in the environment.
    AWS_ACCESS_KEY_ID: 'ASIABENCHEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'bench-secret-access-key',
    AWS_SESSION_TOKEN: 'bench-session-token',
    // Active tracing: where the X-Ray daemon listens (169.254.79.129:2000 in Lambda; our UDP listener here).
    AWS_XRAY_DAEMON_ADDRESS: xrayAddress,
    _AWS_XRAY_DAEMON_ADDRESS: xrayAddress.split(':')[0],
    _AWS_XRAY_DAEMON_PORT: xrayAddress.split(':')[1],
    AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
    // Not Lambda's: points every S3 client at the stub (the SDK reads it; path-style for an IP address).
    AWS_ENDPOINT_URL_S3: s3Endpoint,
    // Not Lambda's: the SDK warns on Node 20 (this machine); Lambda runs Node 24, where it does not.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    // The function's configuration (defaultFunctionEnvironment in the CDK construct).
    INPUT_BUCKET,
    OUTPUT_BUCKET,
    MAX_OBJECT_BYTES: String(50 * 1024 * 1024),
    KEEP_COLOR_PROFILE: 'true',
    KEEP_ORIENTATION: 'true',
    POWERTOOLS_SERVICE_NAME: 'image-sanitizer',
    POWERTOOLS_METRICS_NAMESPACE: 'ImageSanitizer',
    POWERTOOLS_TRACE_ENABLED: 'true',
  };
}

/** What Lambda's event source mapping hands the function: one SQS message carrying an S3 notification. */
const event = {
  Records: [
    {
      messageId: '2e1424d4-f796-459a-8184-9c92662be6da',
      receiptHandle: 'AQEBbench',
      body: JSON.stringify({
        Records: [
          {
            eventVersion: '2.1',
            eventSource: 'aws:s3',
            awsRegion: 'eu-west-1',
            eventTime: '2026-12-02T10:00:00.000Z',
            eventName: 'ObjectCreated:Put',
            responseElements: { 'x-amz-request-id': 'C3D13FE58DE4C810' },
            s3: {
              s3SchemaVersion: '1.0',
              bucket: { name: INPUT_BUCKET, arn: `arn:aws:s3:::${INPUT_BUCKET}` },
              object: { key: KEY, size: image.length, eTag: ETAG.replaceAll('"', ''), sequencer: '0055AED6DCD90281E5' },
            },
          },
        ],
      }),
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: '1764669600000' },
      messageAttributes: {},
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:image-sanitizer-queue',
      awsRegion: 'eu-west-1',
    },
  ],
};

/** The Lambda context object of the invocation (what Powertools Logger reads from it). */
const context = {
  functionName: 'image-sanitizer',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:image-sanitizer',
  memoryLimitInMB: '1024',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  logGroupName: '/aws/lambda/image-sanitizer',
  logStreamName: '2026/12/02/[$LATEST]0123456789abcdef0123456789abcdef',
};

/** The runtime sets the trace header of each invocation before it calls the handler. */
const TRACE_HEADER = 'Root=1-674d8a60-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1';

/** The bundle's side: import, then one invocation. Both times count from before the import. */
const bundleScript = (url) => `
  const t0 = performance.now();
  const { handler } = await import(${JSON.stringify(url)});
  const init = performance.now() - t0;
  process.env._X_AMZN_TRACE_ID = ${JSON.stringify(TRACE_HEADER)};
  const result = await handler(${JSON.stringify(event)}, { ...${JSON.stringify(context)}, getRemainingTimeInMillis: () => 60000 });
  const first = performance.now() - t0;
  console.log('BENCH ' + JSON.stringify({ init, first, result }));`;

/**
 * client-s3's side: import, then what the handler asks of S3 for this object (ordering.ts and
 * stream-object.ts): read the input, look at the output (none yet) and the input, again just before
 * the write, and write the output conditionally. The stub records both sides' requests; they must match.
 */
const sdkScript = `
  const t0 = performance.now();
  const { S3Client, GetObjectCommand, HeadObjectCommand, PutObjectCommand } = await import('@aws-sdk/client-s3');
  const init = performance.now() - t0;
  const s3 = new S3Client({});
  const input = { Bucket: ${JSON.stringify(INPUT_BUCKET)}, Key: ${JSON.stringify(KEY)} };
  const output = { Bucket: ${JSON.stringify(OUTPUT_BUCKET)}, Key: ${JSON.stringify(KEY)} };
  const absent = (error) => { if (error.name !== 'NotFound') throw error; };
  const read = await s3.send(new GetObjectCommand(input));
  const body = await read.Body.transformToByteArray();
  for (let check = 0; check < 2; check++) {
    await s3.send(new HeadObjectCommand(output)).then(() => { throw new Error('the output exists'); }, absent);
    await s3.send(new HeadObjectCommand(input));
  }
  await s3.send(new PutObjectCommand({ ...output, Body: body, ContentType: 'image/jpeg', IfNoneMatch: '*' }));
  const first = performance.now() - t0;
  console.log('BENCH ' + JSON.stringify({ init, first }));`;

/**
 * STUB_S3: answers the requests above the way S3 does (path-style), with the fixture as the input
 * and no output yet; records each request as `METHOD bucket`. Anything else is a 501 and fails the run.
 */
function stubS3() {
  const requests = [];
  const server = createServer((request, response) => {
    const url = new URL(request.url, 'http://stub');
    const [, bucket, ...key] = url.pathname.split('/');
    requests.push(`${request.method} ${bucket}`);
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      const ours = decodeURIComponent(key.join('/')) === KEY;
      const headers = { 'x-amz-request-id': 'STUB', 'last-modified': 'Wed, 02 Dec 2026 10:00:00 GMT' };
      if (ours && request.method === 'GET' && bucket === INPUT_BUCKET && url.search === '?x-id=GetObject') {
        response.writeHead(200, { ...headers, 'content-type': 'image/jpeg', 'content-length': image.length, etag: ETAG });
        response.end(image);
      } else if (ours && request.method === 'HEAD' && bucket === INPUT_BUCKET) {
        response.writeHead(200, { ...headers, 'content-type': 'image/jpeg', 'content-length': image.length, etag: ETAG });
        response.end();
      } else if (ours && request.method === 'HEAD' && bucket === OUTPUT_BUCKET) {
        response.writeHead(404, headers);
        response.end();
      } else if (ours && request.method === 'PUT' && bucket === OUTPUT_BUCKET && url.search === '?x-id=PutObject' && Buffer.concat(chunks).length > 0) {
        response.writeHead(200, { ...headers, etag: '"0123456789abcdef0123456789abcdef"', 'content-length': 0 });
        response.end();
      } else {
        requests.push(`unexpected: ${request.method} ${request.url}`);
        response.writeHead(501, headers);
        response.end();
      }
    });
  });
  return { server, requests };
}

/** Run `script` in a fresh Node process with `env`; its BENCH line, parsed. */
function run(script, env, cwd) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status) => {
      const line = stdout.split('\n').find((text) => text.startsWith('BENCH '));
      if (status !== 0 || line === undefined) reject(new Error(`child failed (exit ${status}): ${stderr || stdout}`));
      else resolve(JSON.parse(line.slice('BENCH '.length)));
    });
  });
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

async function main() {
  if (!existsSync(bundle)) {
    console.log(`cold start: skipped, ${bundle} is missing (npm run build)`);
    return;
  }
  // As in Lambda, the bundle lies alone in its folder (/var/task): nothing to resolve beside it.
  const alone = join(mkdtempSync(join(tmpdir(), 'image-sanitizer-coldstart-')), 'index.mjs');
  copyFileSync(bundle, alone);
  const { server, requests } = stubS3();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const xray = createSocket('udp4');
  const documents = [];
  xray.on('message', (message) => documents.push(message.toString('utf8')));
  await new Promise((resolve) => xray.bind(0, '127.0.0.1', resolve));
  const env = lambdaEnv(`http://127.0.0.1:${server.address().port}`, `127.0.0.1:${xray.address().port}`);

  const sides = {
    bundle: { script: bundleScript(pathToFileURL(alone).href), cwd: dirname(alone), requests: undefined },
    sdk: { script: sdkScript, cwd: packageDir, requests: undefined },
  };
  const measure = async (name) => {
    requests.length = 0;
    documents.length = 0;
    const result = await run(sides[name].script, env, sides[name].cwd);
    await new Promise((resolve) => setTimeout(resolve, 20)); // the last UDP datagrams
    const seen = requests.join(', ');
    if (seen.includes('unexpected')) throw new Error(`${name} sent requests the stub does not answer: ${seen}`);
    if (sides[name].requests !== undefined && sides[name].requests !== seen) throw new Error(`${name} sent other requests this time: ${seen}`);
    sides[name].requests = seen;
    if (name === 'bundle') {
      if (JSON.stringify(result.result) !== '{"batchItemFailures":[]}') throw new Error(`the handler failed: ${JSON.stringify(result.result)}`);
      if (!documents.some((document) => document.includes('"### stream"'))) throw new Error('no X-Ray subsegment reached the daemon address: the tracer was off');
    }
    return result;
  };

  try {
    await measure('bundle'); // warm the file cache for both sides; not counted
    await measure('sdk');
    if (sides.bundle.requests !== sides.sdk.requests) {
      throw new Error(`the two sides sent different S3 requests:\n  bundle:    ${sides.bundle.requests}\n  client-s3: ${sides.sdk.requests}`);
    }
    const loadBefore = loadavg()[0];
    const rounds = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate which side goes first, so neither always runs right after the other.
      const order = round % 2 === 0 ? ['bundle', 'sdk'] : ['sdk', 'bundle'];
      const times = {};
      for (const name of order) times[name] = await measure(name);
      rounds.push(times);
    }
    report(rounds, sides.bundle.requests, [loadBefore, loadavg()[0]]);
  } finally {
    server.close();
    xray.close();
  }
}

function report(rounds, requests, load) {
  const rows = [
    ['init', 'init', 'bundle: import (the handler is built there); client-s3: import'],
    ['init + first invocation', 'first', 'bundle: import, then the handler on one SQS message; client-s3: import, a client, the same S3 requests'],
  ];
  console.log(`\ncold start, ${ROUNDS} interleaved rounds of fresh Node processes with Lambda's environment (NODE_EXTRA_CA_CERTS unset on both sides), Node ${process.version}`);
  console.log(`  load average (1 min) ${load.map((value) => value.toFixed(2)).join(' -> ')} (ratios of runs at different loads differ; compare runs at similar load)`);
  for (const [label, , what] of rows) console.log(`  ${label}: ${what}`);
  console.log(`  S3 requests of the first invocation, on both sides (stub S3 on 127.0.0.1): ${requests}`);
  console.log('| what | bundle (ms, median) | client-s3 (ms, median) | bundle / client-s3 (median of per-round ratios) | target |');
  console.log('| --- | ---: | ---: | ---: | --- |');
  let met = true;
  for (const [label, field] of rows) {
    const ratio = median(rounds.map((times) => times.bundle[field] / times.sdk[field]));
    const bundleMs = median(rounds.map((times) => times.bundle[field]));
    const sdkMs = median(rounds.map((times) => times.sdk[field]));
    const target = field === 'init' ? `< ${TARGET}: ${ratio < TARGET ? 'met' : 'NOT met'}` : 'information';
    if (field === 'init' && ratio >= TARGET) met = false;
    console.log(`| ${label} | ${bundleMs.toFixed(1)} | ${sdkMs.toFixed(1)} | ${ratio.toFixed(2)} | ${target} |`);
  }
  if (!met) process.exitCode = 1;
}

await main();
