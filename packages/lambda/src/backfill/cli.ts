#!/usr/bin/env node
// `image-sanitizer-backfill` (`npm run backfill -- ...`): sanitize what is already in the input bucket.
//   --stack NAME [--prefix P] [--inventory] [--force] [--dry-run]   an S3 Batch Operations job in AWS
//   --local [--prefix P] [--report FILE] [--concurrency N] [--force]  the same on the local stack (`npm start`)
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { parseArgs } from 'node:util';
import { ConfigError } from '../errors.js';
import { runAwsBackfill } from './aws.js';
import { runLocalCommand } from './local-command.js';
import { ProgressBar } from './progress.js';

const USAGE = `Usage:
  image-sanitizer-backfill --stack NAME [--prefix P] [--inventory] [--force] [--dry-run]
      Create an S3 Batch Operations job that runs the stack's sanitizer on every object of its input
      bucket (a manifest generated now, filtered by --prefix; or --inventory: the newest S3 Inventory),
      follow it, and print where its completion report is. --dry-run prints the CreateJob request.
  image-sanitizer-backfill --local [--prefix P] [--report FILE] [--concurrency N] [--force]
      The same on the local stack (npm start, S3 on S3_PORT): every object of INPUT_BUCKET through the
      handler as Batch Operations invokes it; the completion report CSV goes to FILE (backfill-report.csv).
  --force   sanitize again objects whose output is already current`;

async function main(argv: readonly string[]): Promise<number> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        stack: { type: 'string' },
        local: { type: 'boolean', default: false },
        prefix: { type: 'string' },
        report: { type: 'string', default: 'backfill-report.csv' },
        concurrency: { type: 'string', default: '8' },
        inventory: { type: 'boolean', default: false },
        force: { type: 'boolean', default: false },
        'dry-run': { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.local === (values.stack !== undefined)) {
    console.error(`Give exactly one of --local and --stack NAME.\n\n${USAGE}`);
    return 2;
  }
  if (values.local) {
    const concurrency = Number(values.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) {
      console.error(`--concurrency must be a whole number from 1 to 256, got "${values.concurrency}"`);
      return 2;
    }
    try {
      const summary = await runLocalCommand({ ...(values.prefix ? { prefix: values.prefix } : {}), reportFile: values.report, concurrency, force: values.force });
      return summary.temporaryFailures === 0 ? 0 : 1;
    } catch (error) {
      if (error instanceof ConfigError) {
        console.error(error.message);
        return 2;
      }
      if ((error as NodeJS.ErrnoException).code === 'ECONNREFUSED') {
        console.error('No local S3 answers on S3_PORT: start the local stack first (npm start -- --no-notifications).');
        return 2;
      }
      throw error;
    }
  }
  const clients = { cloudFormation: new CloudFormationClient({}), s3Control: new S3ControlClient({}), s3: new S3Client({}) };
  try {
    const result = await runAwsBackfill(
      { ...clients, print: (line) => console.log(line) },
      {
        stackName: values.stack!,
        ...(values.prefix ? { prefix: values.prefix } : {}),
        inventory: values.inventory,
        force: values.force,
        dryRun: values['dry-run'],
        follow: { progress: new ProgressBar('batch operations') },
      },
    );
    return result.job === undefined || result.job.Status === 'Complete' ? 0 : 1;
  } finally {
    clients.cloudFormation.destroy();
    clients.s3Control.destroy();
    clients.s3.destroy();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
    process.exit(1);
  },
);
