// The whole local pipeline, as `npm start` runs it: s3rver → S3 notification →
// fauxqs queue (with a dead-letter queue) → poller → handler → s3rver.
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { type ImageFormat, MIME_TYPES } from '@image-sanitizer/core';
import exifr from 'exifr';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findSamples, uploadSamples, waitForOutcomes } from '../src/local/samples.js';
import { exifSource, jpegWithSecrets, metadataLeft, secretsIn } from './helpers/images.js';
import { INPUT, OUTPUT, startTestPipeline, type TestPipeline } from './helpers/pipeline.js';
import { eventually, s3Helpers } from './helpers/s3.js';
import { METRIC } from '../src/metrics.js';

const FIXTURES = join(import.meta.dirname, '..', '..', '..', 'fixtures');
const MANIFEST = join(FIXTURES, 'manifest.json');
const hasFixtures = existsSync(MANIFEST);

interface FixtureEntry {
  file: string;
  format: ImageFormat | null;
  secrets: string[];
  expect: 'clean' | 'reject';
  code?: string;
  orientation?: number;
}

let running: TestPipeline | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

describe.skipIf(!hasFixtures)(`local pipeline: the repository fixtures${hasFixtures ? '' : ' (SKIPPED: fixtures/manifest.json missing, run `npm run fixtures`)'}`, () => {
  it('settles every fixture as the manifest expects; what is published carries no metadata and no planted secret', async () => {
    // Prepare
    running = await startTestPipeline();
    const io = s3Helpers(running.s3);
    const manifest: FixtureEntry[] = JSON.parse(readFileSync(MANIFEST, 'utf8'));
    const samples = findSamples(FIXTURES);
    expect(samples.map((s) => s.key).sort()).toEqual(manifest.map((f) => f.file).sort());

    // Act
    await uploadSamples(running.s3, INPUT, samples);
    const rows = await waitForOutcomes(running.s3, { inputBucket: INPUT, outputBucket: OUTPUT }, samples, 30_000);

    // Assess
    const outcomes = Object.fromEntries(rows.map((row) => [row.key, row.outcome === 'rejected' ? `reject ${row.reason}` : row.outcome]));
    const expected = Object.fromEntries(manifest.map((f) => [f.file, f.expect === 'clean' ? 'sanitized' : `reject ${f.code}`]));
    expect.soft(outcomes).toEqual(expected);
    for (const fixture of manifest) {
      const output = await io.get(OUTPUT, fixture.file);
      if (outcomes[fixture.file] !== 'sanitized') {
        expect(output, `${fixture.file} must not be published`).toBeUndefined();
        const input = await io.get(INPUT, fixture.file);
        expect(input!.bytes.equals(readFileSync(join(FIXTURES, fixture.file))), `${fixture.file} stays as uploaded`).toBe(true);
        continue;
      }
      expect(output, `${fixture.file} published`).toBeDefined();
      expect(output!.contentType).toBe(MIME_TYPES[fixture.format!]);
      expect(Object.keys(output!.metadata).every((name) => name.startsWith('sanitized-')), `${fixture.file} metadata`).toBe(true);
      expect(secretsIn(output!.bytes, fixture.secrets), `${fixture.file} secrets`).toEqual([]);
      expect(await metadataLeft(output!.bytes, fixture.format!), `${fixture.file} metadata left`).toEqual([]);
      if ((fixture.orientation ?? 1) !== 1) expect(await exifr.orientation(exifSource(output!.bytes, fixture.format!)!), `${fixture.file} orientation`).toBe(fixture.orientation);
    }
    expect(running.metrics.get(METRIC.failed)).toBe(0);
  });
});

describe('local pipeline: load and failures', () => {
  it('publishes all of 200 uploads, none lost, none dead-lettered', async () => {
    // Prepare
    running = await startTestPipeline({ visibilityTimeoutSeconds: 30 });
    const io = s3Helpers(running.s3);
    const images = Array.from({ length: 8 }, (_, seed) => jpegWithSecrets(seed)); // encoding is the slow part; 8 distinct images suffice
    const samples = Array.from({ length: 200 }, (_, i) => ({ key: `bulk/${String(i).padStart(3, '0')} photo+${i % 7}%.jpg`, bytes: images[i % images.length] }));

    // Act
    await uploadSamples(running.s3, INPUT, samples, 16);
    const published = await eventually('200 published objects', async () => {
      const keys = await io.keys(OUTPUT);
      return keys.length === samples.length ? keys : undefined;
    }, 60_000, 500);

    // Assess
    expect(published).toEqual(samples.map((s) => s.key).sort());
    const inputKeys = await io.keys(INPUT);
    expect(inputKeys).toHaveLength(200);
    for (const sample of samples.filter((_, i) => i % 20 === 0)) {
      const output = await io.get(OUTPUT, sample.key);
      expect(secretsIn(output!.bytes)).toEqual([]);
    }
    // At-least-once delivery: a message may be handled twice, never zero times.
    expect(running.metrics.get(METRIC.sanitized)).toBeGreaterThanOrEqual(200);
    expect(running.metrics.get(METRIC.failed)).toBe(0);
    expect(await running.deadLetters()).toBe(0);
  }, 120_000); // 200 objects end to end, each with its ordering checks: slow on a loaded 2-core machine

  it('retries a record while S3 answers 503, and publishes it once S3 is back', async () => {
    // Prepare
    running = await startTestPipeline({ withProxy: true });
    const io = s3Helpers(running.s3);
    running.proxy!.mode = 'unavailable';

    // Act
    await io.put(INPUT, 'retry/photo.jpg', jpegWithSecrets(1));
    await eventually('a failed attempt', async () => (running!.metrics.get(METRIC.failed) >= 1 ? true : undefined));
    expect(await io.exists(OUTPUT, 'retry/photo.jpg')).toBe(false);
    running.proxy!.mode = 'forward';

    // Assess
    const output = await eventually('the published object', () => io.get(OUTPUT, 'retry/photo.jpg'));
    expect(secretsIn(output.bytes)).toEqual([]);
    expect(await io.tags(INPUT, 'retry/photo.jpg')).toEqual({});
    expect(await running.deadLetters()).toBe(0);
  });

  it('moves a record that keeps failing to the dead-letter queue after maxReceiveCount, publishing nothing and losing nothing', async () => {
    // Prepare
    running = await startTestPipeline({ withProxy: true, maxReceiveCount: 2 });
    const io = s3Helpers(running.s3);
    running.proxy!.mode = 'reset';
    const uploaded = jpegWithSecrets(2);

    // Act
    await io.put(INPUT, 'doomed/photo.jpg', uploaded);
    await eventually('a dead letter', async () => {
      const { Attributes } = await running!.pipeline.stack.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: running!.pipeline.stack.dlqUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
      );
      return Number(Attributes?.ApproximateNumberOfMessages) === 1 ? true : undefined;
    });

    // Assess
    expect(running.metrics.get(METRIC.failed)).toBe(2);
    expect(await io.exists(OUTPUT, 'doomed/photo.jpg')).toBe(false);
    const input = await io.get(INPUT, 'doomed/photo.jpg');
    expect(input!.bytes.equals(uploaded)).toBe(true);
    expect(await io.tags(INPUT, 'doomed/photo.jpg')).toEqual({});
    expect(running.logger.lines.filter((line) => line.outcome === 'failed')).toHaveLength(2);
  });
});
