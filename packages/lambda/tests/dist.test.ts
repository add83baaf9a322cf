// The built artefacts: the Lambda bundle (as the runtime loads it) and the
// `npm start` entry. Both come from `npm run build`, which `npm test` runs first.
import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:http';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { s3Notification, sqsEvent } from './helpers/events.js';
import { useHandlerStack } from './helpers/handler-stack.js';
import { jpegWithSecrets } from './helpers/images.js';

const PACKAGE = join(import.meta.dirname, '..');
const BUNDLE = join(PACKAGE, 'dist', 'bundle', 'index.mjs');
const START = join(PACKAGE, 'dist', 'local', 'start.js');
const BUILT = 'run `npm run build` (root) or `npm run build -w @image-sanitizer/lambda` first';

/**
 * Load the bundle in a fresh Node process, as the Lambda runtime would, and optionally invoke it.
 * The bundle is copied to a folder with no node_modules above it: it must bring everything it imports.
 */
function loadBundle(env: Record<string, string>, event?: unknown) {
  return spawnSync(process.execPath, ['--input-type=module', '-e', bundleScript(event)], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', AWS_REGION: 'eu-west-1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', POWERTOOLS_METRICS_DISABLED: 'true', ...env },
    timeout: 20_000,
  });
}

/** The code of a fresh process that imports a copy of the bundle and, given an event, invokes it once. */
function bundleScript(event?: unknown, beforeInvoke = ''): string {
  const alone = join(mkdtempSync(join(tmpdir(), 'image-sanitizer-bundle-')), 'index.mjs');
  copyFileSync(BUNDLE, alone);
  return `
    const { handler } = await import(${JSON.stringify(alone)});
    ${beforeInvoke}
    const result = ${event === undefined ? 'undefined' : `await handler(${JSON.stringify(event)})`};
    console.log('RESULT ' + JSON.stringify({ type: typeof handler, result: result ?? null }));`;
}

describe('Lambda bundle (dist/bundle/index.mjs)', () => {
  it('is one ESM file that brings its SDK clients and imports only Node built-ins', () => {
    // Assess
    expect(existsSync(BUNDLE), BUILT).toBe(true);
    const code = readFileSync(BUNDLE, 'utf8');
    const imported = [...code.matchAll(/(?:from\s*|import\s*\(?)"([^"]+)"/g)].map((match) => match[1]);
    // The SDK imports the CRT signer only for SigV4a (multi-region access points), inside a try: not used here.
    const optional = new Set(['@aws-sdk/signature-v4-crt']);
    expect(imported.filter((specifier) => !specifier?.startsWith('node:') && !optional.has(specifier ?? ''))).toEqual([]);
    expect(statSync(BUNDLE).size).toBeLessThan(2 * 1024 * 1024);
  });

  it('exports a handler that ignores s3:TestEvent', () => {
    // Act
    const run = loadBundle({ OUTPUT_BUCKET: 'clean-images', INPUT_BUCKET: 'raw-images' }, { Service: 'Amazon S3', Event: 's3:TestEvent' });

    // Assess
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('RESULT {"type":"function","result":null}');
  });

  it('refuses to start without an output bucket, saying so', () => {
    // Act
    const run = loadBundle({});

    // Assess
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('ConfigError');
    expect(run.stderr).toContain('OUTPUT_BUCKET is required');
    expect(run.stdout).not.toContain('RESULT');
  });

  it('refuses to start when the output bucket is the input bucket', () => {
    // Act
    const run = loadBundle({ INPUT_BUCKET: 'same-bucket', OUTPUT_BUCKET: 'same-bucket' });

    // Assess
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('OUTPUT_BUCKET must differ from INPUT_BUCKET');
    // The refusal is also one structured log line, for CloudWatch.
    expect(run.stdout + run.stderr).toMatch(/"message":"refusing to start: invalid configuration"/);
  });

  it('refuses to start with a bad MAX_OBJECT_BYTES', () => {
    // Act
    const run = loadBundle({ OUTPUT_BUCKET: 'clean-images', MAX_OBJECT_BYTES: '50MB' });

    // Assess
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('MAX_OBJECT_BYTES must be a whole number of bytes between 1 and 1073741824, got "50MB"');
  });
});

/** One X-Ray document as the SDK sends it to the daemon: a JSON header line, then the segment or subsegment. */
interface XrayDocument {
  readonly name: string;
  readonly id: string;
  readonly parent_id?: string;
  readonly trace_id?: string;
  readonly annotations?: Record<string, unknown>;
  readonly aws?: Record<string, unknown>;
  readonly subsegments?: XrayDocument[];
}

/** Every (sub)segment of `documents`, nested ones included. */
function allSegments(documents: readonly XrayDocument[]): XrayDocument[] {
  return documents.flatMap((document) => [document, ...allSegments(document.subsegments ?? [])]);
}

/**
 * Run the bundle in a fresh process with the environment Lambda gives a traced function, its
 * X-Ray daemon address pointing at a UDP listener here, and invoke it once; the documents the
 * tracer sent, and the process's output.
 */
async function invokeTraced(env: Record<string, string>, event: unknown, traceHeader: string) {
  const daemon = createSocket('udp4');
  const datagrams: string[] = [];
  daemon.on('message', (message) => datagrams.push(message.toString('utf8')));
  await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
  const daemonAddress = `127.0.0.1:${(daemon.address() as AddressInfo).port}`;
  // The runtime sets the invocation's trace header before it calls the handler (not at init).
  const script = bundleScript(event, `process.env._X_AMZN_TRACE_ID = ${JSON.stringify(traceHeader)};`);
  const lambdaEnv = {
    PATH: process.env.PATH ?? '',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    LAMBDA_TASK_ROOT: '/var/task',
    AWS_LAMBDA_FUNCTION_NAME: 'image-sanitizer',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
    AWS_REGION: 'us-east-1',
    AWS_XRAY_DAEMON_ADDRESS: daemonAddress,
    AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
    POWERTOOLS_TRACE_ENABLED: 'true',
    POWERTOOLS_METRICS_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...env,
  };
  try {
    const run = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], { env: lambdaEnv, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      child.on('error', reject);
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });
    await new Promise((resolve) => setTimeout(resolve, 100)); // the last datagrams
    const documents = datagrams.map((datagram) => {
      const [header, body] = [datagram.slice(0, datagram.indexOf('\n')), datagram.slice(datagram.indexOf('\n') + 1)];
      expect(JSON.parse(header)).toEqual({ format: 'json', version: 1 });
      return JSON.parse(body) as XrayDocument;
    });
    return { ...run, datagrams, documents };
  } finally {
    daemon.close();
  }
}

describe('Lambda bundle in Lambda\'s environment (real X-Ray tracer, s3rver)', () => {
  const INPUT = 'dist-trace-input';
  const OUTPUT = 'dist-trace-output';
  const stack = useHandlerStack(INPUT, OUTPUT);
  const TRACE_ROOT = '1-674d8a60-0123456789abcdef01234567';
  const TRACE_PARENT = '53995c3f42cd8ad8';
  /** The function's variables, its S3 endpoint pointed at s3rver. */
  const functionEnv = () => ({
    INPUT_BUCKET: INPUT,
    OUTPUT_BUCKET: OUTPUT,
    AWS_ENDPOINT_URL_S3: stack.stack.s3Endpoint,
    // s3rver would store the aws-chunked framing of a checksummed upload as part of the object.
    AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
  });
  /** The execution role's credentials, as Lambda puts them in the environment (s3rver's account). */
  const roleCredentials = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_SESSION_TOKEN: 'session' };

  it('sends subsegments object, read and stream with the outcome, format and key hash, and never the key', async () => {
    // Prepare
    expect(existsSync(BUNDLE), BUILT).toBe(true);
    const key = 'people/passport-jane-doe.jpg';
    await stack.io.put(INPUT, key, jpegWithSecrets());

    // Act
    const run = await invokeTraced({ ...functionEnv(), ...roleCredentials }, sqsEvent(s3Notification(INPUT, 'people/passport-jane-doe.jpg')), `Root=${TRACE_ROOT};Parent=${TRACE_PARENT};Sampled=1`);

    // Assess
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('RESULT {"type":"function","result":{"batchItemFailures":[]}}');
    expect(await stack.io.exists(OUTPUT, key)).toBe(true);
    const segments = allSegments(run.documents);
    expect(run.documents.length).toBeGreaterThan(0);
    for (const document of run.documents) expect(document.trace_id).toBe(TRACE_ROOT);
    const named = (name: string) => segments.filter((segment) => segment.name === name);
    const [object, ...moreObjects] = named('### object');
    expect(moreObjects).toEqual([]);
    expect(object?.parent_id).toBe(TRACE_PARENT); // under the invocation's segment
    expect(object?.annotations).toEqual({ keyHash: expect.stringMatching(/^[0-9a-f]{16}$/), outcome: 'sanitized', format: 'jpeg' });
    const [read] = named('### read');
    const [streamed] = named('### stream');
    expect([read?.parent_id, streamed?.parent_id]).toEqual([object?.id, object?.id]);
    // The captured S3 client: a subsegment per request, naming the operation and the bucket.
    const requests = named('S3');
    expect(requests.filter((segment) => segment.parent_id === read?.id).map((segment) => segment.aws?.operation)).toEqual(['GetObject']);
    expect(requests.filter((segment) => segment.parent_id === streamed?.id).map((segment) => segment.aws?.operation)).toContain('PutObject');
    expect(new Set(requests.map((segment) => segment.aws?.bucket_name))).toEqual(new Set([INPUT, OUTPUT]));
    // Neither the key nor any part of it, raw or URL-encoded, reaches a trace.
    for (const datagram of run.datagrams) {
      expect(datagram).not.toContain('jane');
      expect(datagram).not.toContain('passport');
    }
  });

  it('without credentials in the environment, finds them at the container endpoint (the chain passes the providers the bundle leaves out)', async () => {
    // Prepare: a container credentials endpoint (as ECS serves the task role's)
    const key = 'container-credentials.jpg';
    await stack.io.put(INPUT, key, jpegWithSecrets());
    const asked: string[] = [];
    const endpoint = createServer((request, response) => {
      asked.push(`${request.method} ${request.url} ${request.headers.authorization}`);
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ AccessKeyId: 'S3RVER', SecretAccessKey: 'S3RVER', Token: 'session', Expiration: new Date(Date.now() + 3_600_000).toISOString() }));
    });
    await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
    const env = {
      ...functionEnv(),
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/credentials`,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: 'container-token',
    };

    // Act
    const run = await invokeTraced(env, sqsEvent(s3Notification(INPUT, key)), `Root=${TRACE_ROOT};Parent=${TRACE_PARENT};Sampled=1`).finally(() => endpoint.close());

    // Assess
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('RESULT {"type":"function","result":{"batchItemFailures":[]}}');
    expect(asked).toEqual(['GET /credentials container-token']);
    expect(await stack.io.exists(OUTPUT, key)).toBe(true);
  });
});

describe('npm start (dist/local/start.js)', () => {
  it('--once runs the repository samples through the pipeline, prints the table and exits 0', () => {
    // Prepare
    expect(existsSync(START), BUILT).toBe(true);
    const manifestFile = join(PACKAGE, '..', '..', 'fixtures', 'manifest.json');
    const manifest: Array<{ file: string }> = existsSync(manifestFile) ? JSON.parse(readFileSync(manifestFile, 'utf8')) : [];

    // Act
    const run = spawnSync(process.execPath, [START, '--once'], {
      encoding: 'utf8',
      env: { ...process.env, S3_PORT: '0', SQS_PORT: '0', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      timeout: 90_000,
    });

    // Assess
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^key\s+format\s+size in → out\s+removed\s+kept\s+outcome$/m);
    for (const { file } of manifest) expect(run.stdout).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s`, 'm'));
    expect(run.stdout).toMatch(/\d+ sanitized, \d+ rejected .*0 not settled/);
  }, 120_000); // the child may take up to its own 90 s timeout
});
