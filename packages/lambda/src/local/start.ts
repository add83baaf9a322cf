// `npm start`: the pipeline on loopback, the repository's sample images
// through it, a before/after table, then an S3 endpoint anyone can upload to.
//   npm start               keep serving after the samples (Ctrl-C stops)
//   npm start -- --once     exit after the samples (0 when every sample settled)
//   npm start -- --no-notifications   no bucket notification: uploads stay as they are, for `npm run backfill -- --local`
import { fileURLToPath } from 'node:url';
import { loadConfig, type PipelineConfig } from '../config.js';
import { ConfigError } from '../errors.js';
import { METRIC, MetricTotals } from '../metrics.js';
import { localS3Client, LOCAL_REGION, S3RVER_CREDENTIALS } from './clients.js';
import { ConsoleLogger } from './console-logger.js';
import { DEFAULT_INPUT_BUCKET, DEFAULT_OUTPUT_BUCKET, DEFAULT_S3_PORT, DEFAULT_SQS_PORT } from './defaults.js';
import { startLocalPipeline, type LocalPipeline } from './pipeline.js';
import { findSamples, SAMPLE_FOLDERS, uploadSamples, waitForOutcomes } from './samples.js';
import { formatTable } from './table.js';

const SAMPLE_TIMEOUT_MS = 60_000;

async function main(): Promise<number> {
  const once = process.argv.includes('--once');
  const notifications = !process.argv.includes('--no-notifications');
  const env = process.env;
  // The project runs on Node 20 by decision; the SDK's notice about its own future Node 22 floor is noise here.
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  let config: PipelineConfig & { inputBucket: string };
  let ports: { s3Port: number; sqsPort: number };
  try {
    const inputBucket = env.INPUT_BUCKET || DEFAULT_INPUT_BUCKET;
    config = { ...loadConfig({ ...env, INPUT_BUCKET: inputBucket, OUTPUT_BUCKET: env.OUTPUT_BUCKET || DEFAULT_OUTPUT_BUCKET }), inputBucket };
    ports = { s3Port: port(env, 'S3_PORT', DEFAULT_S3_PORT), sqsPort: port(env, 'SQS_PORT', DEFAULT_SQS_PORT) };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    return 2;
  }

  const logger = new ConsoleLogger(env.LOG_FORMAT === 'json');
  const metrics = new MetricTotals();
  let pipeline: LocalPipeline;
  try {
    pipeline = await startLocalPipeline({
      config,
      logger,
      metrics,
      stack: { ...ports, notifications, ...(env.DATA_DIR ? { dataDir: env.DATA_DIR } : {}) },
      onPollError: (error) => console.error(`poller: ${String(error)}`),
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      console.error(`A port is already in use (${String((error as Error).message)}). Set S3_PORT / SQS_PORT to free ports.`);
      return 2;
    }
    throw error;
  }
  const { stack } = pipeline;
  exitOnSignals(pipeline);

  const fixturesDir = env.FIXTURES_DIR ?? fileURLToPath(new URL('../../../../fixtures/', import.meta.url));
  const samples = findSamples(fixturesDir);
  const s3 = localS3Client(stack.s3Endpoint);
  console.log(`image-sanitizer local pipeline: S3 ${stack.s3Endpoint}, SQS ${stack.sqsEndpoint}`);
  if (!notifications) {
    // A bucket as it was before the pipeline existed: the samples are the backlog a backfill sanitizes.
    await uploadSamples(s3, config.inputBucket, samples);
    console.log(
      `Bucket notification off: ${samples.length} samples uploaded to s3://${config.inputBucket}/ stay unsanitized ` +
        'until `npm run backfill -- --local`.',
    );
  } else if (samples.length === 0) {
    console.log(`No sample images under ${fixturesDir}{${SAMPLE_FOLDERS.join(',')}}/ (run \`npm run fixtures\`).`);
  } else {
    console.log(`Uploading ${samples.length} samples from ${fixturesDir} to s3://${config.inputBucket}/ ...\n`);
    await uploadSamples(s3, config.inputBucket, samples);
    const rows = await waitForOutcomes(s3, config, samples, SAMPLE_TIMEOUT_MS);
    console.log(formatTable(rows));
    const count = (outcome: string) => rows.filter((row) => row.outcome === outcome).length;
    console.log(
      `\n${count('sanitized')} sanitized, ${count('rejected')} rejected (tagged in place, not published), ` +
        `${count('pending')} not settled; ${metrics.get(METRIC.failed)} transient failures retried.`,
    );
    if (once) {
      s3.destroy();
      await pipeline.close();
      return count('pending') === 0 ? 0 : 1;
    }
  }
  s3.destroy();
  if (once) {
    await pipeline.close();
    return 1; // --once without samples has shown nothing
  }
  printUsage(stack, config);
  logger.live = true;
  return new Promise<number>(() => {}); // serve until a signal exits the process
}

function printUsage(stack: LocalPipeline['stack'], config: PipelineConfig & { inputBucket: string }): void {
  const { accessKeyId, secretAccessKey } = S3RVER_CREDENTIALS;
  const cliEnv =
    `AWS_ACCESS_KEY_ID=${accessKeyId} AWS_SECRET_ACCESS_KEY=${secretAccessKey} AWS_REGION=${LOCAL_REGION} ` +
    'AWS_REQUEST_CHECKSUM_CALCULATION=when_required AWS_RESPONSE_CHECKSUM_VALIDATION=when_required';
  console.log(`
The pipeline keeps running. Upload to the input bucket; the sanitized copy appears in the output bucket.
  S3 endpoint    ${stack.s3Endpoint}  (path-style, region ${LOCAL_REGION})
  credentials    access key ${accessKeyId}, secret ${secretAccessKey}
  input bucket   ${config.inputBucket}
  output bucket  ${config.outputBucket}
  SQS            ${stack.sqsEndpoint}  queue ${stack.queueUrl}  (dead-letter queue ${stack.dlqUrl})
  data           ${stack.dataDir}

  ${cliEnv} \\
    aws --endpoint-url ${stack.s3Endpoint} s3 cp photo.jpg s3://${config.inputBucket}/photo.jpg
  ${cliEnv} \\
    aws --endpoint-url ${stack.s3Endpoint} s3 cp s3://${config.outputBucket}/photo.jpg photo.clean.jpg

  // JavaScript (AWS SDK v3)
  const s3 = new S3Client({ endpoint: '${stack.s3Endpoint}', region: '${LOCAL_REGION}', forcePathStyle: true,
    credentials: { accessKeyId: '${accessKeyId}', secretAccessKey: '${secretAccessKey}' },
    requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });

Press Ctrl-C to stop.
`);
}

/** Ctrl-C (or SIGTERM), in any phase: shut everything down, then exit 0. A second Ctrl-C exits at once. */
function exitOnSignals(pipeline: LocalPipeline): void {
  let stopping = false;
  const stop = () => {
    if (stopping) process.exit(130);
    stopping = true;
    console.log('\nStopping ...');
    pipeline.close().then(
      () => {
        console.log('Stopped.');
        process.exit(0);
      },
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value > 65535) throw new ConfigError([`${name} must be a port number (0-65535), got "${raw}"`]);
  return value;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
