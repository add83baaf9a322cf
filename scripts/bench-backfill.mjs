// Backfill benchmark, side by side in one run: N small images already in the local input bucket, sanitized
//  (a) by the local backfill (list → Batch Operations-shaped invocations, 8 at a time, with the rerun check), and
//  (b) through the event path (an S3 notification per object on the queue → the poller → the handler, 8 loops).
// Then (c) the backfill again, when every output is already current (the rerun check, nothing written).
// Each side runs in a child process of its own, so its peak memory (max RSS) is its own; s3rver and fauxqs run
// here. Objects/s count from the first request to the last object settled.
// Usage: node scripts/bench-backfill.mjs            (BENCH_BACKFILL_COUNTS=1000,10000 by default)
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(import.meta.dirname, '..');
const harnessPath = join(root, 'packages', 'lambda', 'dist', 'local', 'harness.js');
const INPUT = 'bench-backfill-input';
const OUTPUT = 'bench-backfill-output';
const CONCURRENCY = 8;
const config = { inputBucket: INPUT, outputBucket: OUTPUT, maxObjectBytes: 50 * 1024 * 1024, keepColorProfile: true, keepOrientation: true };
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const [, , role, ...args] = process.argv;
if (role === '--child') await child(args);
else await parent();

/** The small fixture every object is a copy of: the smallest JPEG in fixtures/jpeg. */
function fixture() {
  const dir = join(root, 'fixtures', 'jpeg');
  const files = readdirSync(dir).filter((name) => name.endsWith('.jpg')).map((name) => readFileSync(join(dir, name)));
  if (files.length === 0) throw new Error('no fixtures/jpeg/*.jpg: run `npm run fixtures`');
  return files.sort((a, b) => a.length - b.length)[0];
}

async function parent() {
  const harness = await import(harnessPath);
  const { PutObjectCommand } = await import('@aws-sdk/client-s3');
  const { SendMessageBatchCommand } = await import('@aws-sdk/client-sqs');
  const counts = (process.env.BENCH_BACKFILL_COUNTS ?? '1000,10000').split(',').map(Number);
  const body = fixture();
  const rows = [];
  for (const count of counts) {
    const stack = await harness.startLocalStack({ inputBucket: INPUT, outputBucket: OUTPUT, notifications: false, visibilityTimeoutSeconds: 120 });
    const s3 = harness.localS3Client(stack.s3Endpoint);
    try {
      process.stdout.write(`uploading ${count} objects of ${body.length} bytes ... `);
      const keys = Array.from({ length: count }, (_, i) => `bench/${String(i).padStart(6, '0')}.jpg`);
      for (let at = 0; at < keys.length; at += 32) {
        await Promise.all(keys.slice(at, at + 32).map((Key) => s3.send(new PutObjectCommand({ Bucket: INPUT, Key, Body: body }))));
      }
      console.log('done');

      const backfill = await runChild(['backfill', stack.s3Endpoint]);
      rows.push({ path: 'backfill (list + invoke)', count, ...backfill });

      // The event path: the notification S3 would have sent for each object, on the queue.
      for (let at = 0; at < keys.length; at += 10) {
        const entries = keys.slice(at, at + 10).map((key, i) => ({
          Id: String(i),
          MessageBody: JSON.stringify({
            Records: [{ eventVersion: '2.1', eventSource: 'aws:s3', awsRegion: 'us-east-1', eventName: 'ObjectCreated:Put', s3: { bucket: { name: INPUT, arn: `arn:aws:s3:::${INPUT}` }, object: { key: harness.encodeS3Key(key), size: body.length } } }],
          }),
        }));
        await stack.sqs.send(new SendMessageBatchCommand({ QueueUrl: stack.queueUrl, Entries: entries }));
      }
      const queue = await runChild(['queue', stack.s3Endpoint, stack.sqsEndpoint, stack.queueUrl, stack.queueArn, String(count)]);
      rows.push({ path: 'event path (queue + poller)', count, ...queue });

      // Every output is current now: what a second backfill costs (reads only, nothing written).
      const rerun = await runChild(['backfill', stack.s3Endpoint]);
      rows.push({ path: 'backfill rerun (all current)', count, ...rerun });
    } finally {
      s3.destroy();
      await stack.close();
    }
  }

  console.log(`\nbackfill vs event path, ${CONCURRENCY} at a time, small JPEG fixture, s3rver + fauxqs on loopback (Node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')})`);
  console.log('path                          objects   seconds   objects/s   peak RSS MiB   outcomes');
  for (const row of rows) {
    console.log(
      `${row.path.padEnd(29)} ${String(row.count).padStart(7)} ${row.seconds.toFixed(1).padStart(9)} ${(row.count / row.seconds).toFixed(0).padStart(11)} ${(row.maxRssKiB / 1024).toFixed(0).padStart(14)}   ${row.outcomes}`,
    );
  }
  console.log('\nratio (backfill / event path)     objects/s   peak RSS');
  for (const count of counts) {
    const [b, q] = [rows.find((r) => r.count === count && r.path.startsWith('backfill (')), rows.find((r) => r.count === count && r.path.startsWith('event'))];
    console.log(`${String(count).padStart(6)} objects                    ${(q.seconds / b.seconds).toFixed(2).padStart(9)}x ${(b.maxRssKiB / q.maxRssKiB).toFixed(2).padStart(9)}x`);
  }
  const [small, large] = [rows.find((r) => r.path.startsWith('backfill (') && r.count === counts[0]), rows.find((r) => r.path.startsWith('backfill (') && r.count === counts.at(-1))];
  if (small !== large) console.log(`backfill peak RSS, ${large.count} vs ${small.count} objects: ${(large.maxRssKiB / small.maxRssKiB).toFixed(2)}x (memory holds one page and the invocations under way)`);
}

function runChild(childArgs) {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [fileURLToPath(import.meta.url), '--child', ...childArgs], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.on('data', (chunk) => (out += chunk));
    proc.on('error', reject);
    proc.on('close', (code) => {
      const line = out.trim().split('\n').at(-1);
      if (code !== 0) reject(new Error(`child ${childArgs[0]} exited ${code}: ${out}`));
      else resolve(JSON.parse(line));
    });
  });
}

async function child([mode, s3Endpoint, sqsEndpoint, queueUrl, queueArn, countText]) {
  const harness = await import(harnessPath);
  const lambda = await import(join(root, 'packages', 'lambda', 'dist', 'index.js'));
  const s3 = harness.localS3Client(s3Endpoint, { maxAttempts: 3 });
  const metrics = new lambda.MetricTotals();
  const quiet = { info() {}, warn() {}, error() {} }; // log lines would cost the same on both sides; keep them out
  const handler = lambda.createHandler({ s3, config, logger: quiet, metrics });
  const started = performance.now();
  let outcomes;
  if (mode === 'backfill') {
    const summary = await harness.runLocalBackfill({ s3, handler, bucket: INPUT, concurrency: CONCURRENCY });
    outcomes = `${summary.succeeded} ok (${summary.alreadyCurrent} already current), ${summary.permanentFailures} permanent, ${summary.temporaryFailures} temporary`;
  } else {
    const count = Number(countText);
    const sqs = harness.localSqsClient(sqsEndpoint);
    const poller = harness.startPoller({ sqs, queueUrl, queueArn, handler, concurrency: CONCURRENCY, batchSize: 10, waitTimeSeconds: 1 });
    const settled = () => ['ObjectsSanitized', 'ObjectsRejected', 'ObjectsIgnored'].reduce((sum, name) => sum + metrics.get(name), 0);
    while (settled() < count) await new Promise((resolve) => setTimeout(resolve, 20));
    await poller.stop();
    sqs.destroy();
    outcomes = `${metrics.get('ObjectsSanitized')} ok, ${metrics.get('ObjectsRejected')} rejected, ${metrics.get('ObjectsFailed')} retried`;
  }
  const seconds = (performance.now() - started) / 1000;
  s3.destroy();
  console.log(JSON.stringify({ seconds, maxRssKiB: process.resourceUsage().maxRSS, outcomes }));
  process.exit(0);
}
