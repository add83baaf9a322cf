// The whole local pipeline (s3rver → notification → fauxqs → poller → handler), as `npm start`
// runs it: outputs follow their inputs within seconds, and a slow first read loses to a newer upload.
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { METRIC } from '../src/metrics.js';
import { SEQUENCER_METADATA } from '../src/ordering.js';
import { plainJpeg } from './helpers/images.js';
import { INPUT, OUTPUT, startTestPipeline, type TestPipeline } from './helpers/pipeline.js';
import { eventually, s3Helpers } from './helpers/s3.js';

/** "Within seconds": the time the output may take to follow its input. */
const FOLLOW_MS = 5_000;

let running: TestPipeline | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

describe('local pipeline: outputs follow their inputs', () => {
  it('deleting an input removes its output within seconds', async () => {
    // Prepare
    running = await startTestPipeline();
    const io = s3Helpers(running.s3);
    await io.put(INPUT, 'follow/deleted photo.jpg', plainJpeg(21));
    await eventually('the output', async () => ((await io.exists(OUTPUT, 'follow/deleted photo.jpg')) ? true : undefined));

    // Act
    const started = Date.now();
    await running.s3.send(new DeleteObjectCommand({ Bucket: INPUT, Key: 'follow/deleted photo.jpg' }));

    // Assess
    await eventually('the output to go', async () => ((await io.exists(OUTPUT, 'follow/deleted photo.jpg')) ? undefined : true), FOLLOW_MS);
    expect(Date.now() - started).toBeLessThan(FOLLOW_MS);
    expect(running.metrics.get(METRIC.deleted)).toBe(1);
    expect(running.metrics.get(METRIC.failed)).toBe(0);
  });

  it('re-uploading a non-image under a published key removes the output within seconds', async () => {
    // Prepare
    running = await startTestPipeline();
    const io = s3Helpers(running.s3);
    await io.put(INPUT, 'follow/replaced.jpg', plainJpeg(22));
    await eventually('the output', async () => ((await io.exists(OUTPUT, 'follow/replaced.jpg')) ? true : undefined));

    // Act
    const started = Date.now();
    await io.put(INPUT, 'follow/replaced.jpg', 'not an image, whatever the name says');

    // Assess
    await eventually('the output to be withdrawn', async () => ((await io.exists(OUTPUT, 'follow/replaced.jpg')) ? undefined : true), FOLLOW_MS);
    expect(Date.now() - started).toBeLessThan(FOLLOW_MS);
    expect(await io.tags(INPUT, 'follow/replaced.jpg')).toMatchObject({ 'sanitizer-outcome': 'rejected', 'sanitizer-reason': 'UNSUPPORTED_FORMAT' });
    expect(running.metrics.get(METRIC.withdrawn)).toBe(1);
  });

  it('when the first of two uploads is read slowly, the output ends as the second, in 5 of 5 runs', async () => {
    for (let run = 0; run < 5; run++) {
      // Prepare
      running = await startTestPipeline({ withProxy: true, visibilityTimeoutSeconds: 30 });
      const io = s3Helpers(running.s3);
      const key = `follow/raced-${run}.jpg`;
      running.proxy!.holdNextGet(`/${INPUT}/${key}`, 1_500);

      // Act
      await io.put(INPUT, key, plainJpeg(30 + run));
      await new Promise((resolve) => setTimeout(resolve, 300));
      const second = await io.put(INPUT, key, plainJpeg(40 + run));

      // Assess: the second is published, and stays published once the slow first read is done
      await eventually('both events handled', async () =>
        running!.metrics.get(METRIC.sanitized) + running!.metrics.get(METRIC.ignored) >= 2 ? true : undefined,
      );
      const output = await io.get(OUTPUT, key);
      expect(output?.metadata['sanitized-from-etag'], `run ${run}`).toBe(second.eTag);
      expect(output?.metadata[SEQUENCER_METADATA], `run ${run}`).toMatch(/^[0-9A-F]+$/);
      expect(running.logger.lines.some((line) => line.reason === 'SUPERSEDED'), `run ${run}`).toBe(true);
      await running.close();
      running = undefined;
    }
  }, 60_000);
});
