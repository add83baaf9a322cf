// `npm run backfill -- --local` on a local stack started without the bucket notification: a bucket holding
// images from before the pipeline existed. The command (dist/backfill/cli.js, built by `npm test`) sanitizes or
// rejects every object, writes one completion-report row per object, and a second run rewrites nothing.
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLocalBackfill } from '../src/backfill/local.js';
import { parseReport, REPORT_SCHEMA } from '../src/backfill/report.js';
import type { PipelineConfig } from '../src/config.js';
import { createHandler } from '../src/handler.js';
import { localS3Client } from '../src/local/clients.js';
import { findSamples, readOutcome, uploadSamples, type Sample } from '../src/local/samples.js';
import { startLocalStack, type LocalStack } from '../src/local/stack.js';
import { MemoryLogger } from '../src/logger.js';
import { MetricTotals } from '../src/metrics.js';
import { FlakyProxy } from './helpers/flaky-proxy.js';

const PACKAGE = join(import.meta.dirname, '..');
const CLI = join(PACKAGE, 'dist', 'backfill', 'cli.js');
const FIXTURES = join(PACKAGE, '..', '..', 'fixtures');
const INPUT = 'backfill-local-input';
const OUTPUT = 'backfill-local-output';
const buckets = { inputBucket: INPUT, outputBucket: OUTPUT };
const config: PipelineConfig = { inputBucket: INPUT, outputBucket: OUTPUT, maxObjectBytes: 50 * 1024 * 1024, keepColorProfile: true, keepOrientation: true };

let stack: LocalStack;
let s3: S3Client;
let samples: Sample[];
let work: string;

/** Run the built command as a user would, against the local stack. */
function backfillCommand(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, '--local', ...args], {
      env: { PATH: process.env.PATH ?? '', S3_PORT: String(stack.s3Port), INPUT_BUCKET: INPUT, OUTPUT_BUCKET: OUTPUT, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function outputState(): Promise<Map<string, string>> {
  const state = new Map<string, string>();
  for (const sample of samples) {
    try {
      const head = await s3.send(new HeadObjectCommand({ Bucket: OUTPUT, Key: sample.key }));
      state.set(sample.key, `${head.ETag} ${head.LastModified?.toISOString()}`);
    } catch {
      // not published (rejected)
    }
  }
  return state;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'image-sanitizer-backfill-'));
  stack = await startLocalStack({ ...buckets, notifications: false });
  s3 = localS3Client(stack.s3Endpoint);
  samples = findSamples(FIXTURES);
  await uploadSamples(s3, INPUT, samples);
}, 120_000);

afterAll(async () => {
  s3?.destroy();
  await stack?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('npm run backfill -- --local', () => {
  it('has fixtures to backfill (npm run fixtures) and a built command', () => {
    expect(samples.length, 'run `npm run fixtures`').toBeGreaterThan(10);
    expect(existsSync(CLI), 'run `npm run build`').toBe(true);
  });

  it('with the notification off, uploads queue nothing and publish nothing', async () => {
    await stack.eventsForwarded();
    const { Attributes } = await stack.sqs.send(new GetQueueAttributesCommand({ QueueUrl: stack.queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
    expect(Attributes?.ApproximateNumberOfMessages).toBe('0');
    expect((await outputState()).size).toBe(0);
  });

  it('sanitizes or rejects every object and writes one report row per object', async () => {
    // Act
    const report = join(work, 'first.csv');
    const run = await backfillCommand(['--report', report, '--concurrency', '4']);

    // Assess
    expect(run.stderr).not.toMatch(/Error/);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const rows = parseReport(readFileSync(report, 'utf8'));
    expect(rows).toHaveLength(samples.length);
    expect(rows.every((row) => row.length === REPORT_SCHEMA.length)).toBe(true);
    expect(rows.map((row) => row[1]).sort()).toEqual(samples.map((sample) => sample.key).sort());
    let sanitized = 0;
    for (const sample of samples) {
      const outcome = await readOutcome(s3, buckets, sample);
      const [bucket, , versionId, status, invoked, errorCode, message] = rows.find((row) => row[1] === sample.key)!;
      expect([bucket, versionId, invoked]).toEqual([INPUT, '', '200']);
      if (outcome.outcome === 'sanitized') {
        sanitized++;
        expect([status, errorCode], sample.key).toEqual(['succeeded', '']);
        expect(message).toMatch(/^sanitized /);
      } else {
        expect(outcome.outcome, sample.key).toBe('rejected');
        expect([status, errorCode, message], sample.key).toEqual(['failed', 'PermanentFailure', outcome.reason]);
      }
    }
    expect(sanitized).toBeGreaterThan(0);
    expect(sanitized).toBeLessThan(samples.length); // fixtures/broken/ are rejected
    expect(run.stdout).toContain(`${samples.length} objects`);
    expect(run.stdout).toContain(report);
  }, 120_000);

  it('a second run rewrites no output and reports the same outcome per object', async () => {
    // Prepare
    const before = await outputState();
    const first = parseReport(readFileSync(join(work, 'first.csv'), 'utf8'));

    // Act
    const report = join(work, 'second.csv');
    const run = await backfillCommand(['--report', report]);

    // Assess
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(await outputState()).toEqual(before);
    const second = parseReport(readFileSync(report, 'utf8'));
    expect(second).toHaveLength(samples.length);
    for (const row of second) {
      const earlier = first.find((r) => r[1] === row[1])!;
      expect(row[3]).toBe(earlier[3]);
      if (row[3] === 'succeeded') expect(row[6]).toMatch(/^current: output already sanitized from ETag /);
      else expect(row.slice(5)).toEqual(earlier.slice(5));
    }
    expect(run.stdout).toContain(`(${before.size} already current)`);
  }, 120_000);

  it('a rerun sends no write at all to S3, and --prefix narrows the listing', async () => {
    // Prepare: the handler's S3 requests go through a proxy that records them.
    const proxy = await FlakyProxy.start(stack.s3Port);
    const client = localS3Client(proxy.endpoint);
    const handler = createHandler({ s3: client, config, logger: new MemoryLogger(), metrics: new MetricTotals() });

    try {
      // Act
      const summary = await runLocalBackfill({ s3, handler, bucket: INPUT, prefix: 'jpeg/', pageSize: 5, concurrency: 3 });

      // Assess
      const jpegs = samples.filter((sample) => sample.key.startsWith('jpeg/')).length;
      expect(summary.objects).toBe(jpegs);
      expect(proxy.requests.filter((line) => !/^(HEAD|GET) /.test(line))).toEqual([]);
    } finally {
      client.destroy();
      await proxy.close();
    }
  });
});
