import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { CreateJobCommand, DescribeJobCommand, type CreateJobCommandInput, type JobDescriptor, type S3ControlClient } from '@aws-sdk/client-s3-control';
import { randomUUID } from 'node:crypto';
import type { ProgressBar } from './progress.js';

/** The outputs of the CDK stack (`ImageSanitizerStack`) that a backfill reads. */
export const STACK_OUTPUTS = {
  inputBucket: 'InputBucketName',
  functionArn: 'SanitizerFunctionArn',
  roleArn: 'BackfillRoleArn',
  reportLocation: 'BackfillReportLocation',
  inventoryLocation: 'BackfillInventoryLocation',
} as const;

export interface BackfillStack {
  readonly inputBucket: string;
  readonly functionArn: string;
  readonly roleArn: string;
  /** `s3://bucket/prefix/` */
  readonly reportLocation: string;
  readonly inventoryLocation?: string;
}

/** A manifest S3 Batch Operations reads: an inventory's `manifest.json`, by ARN and ETag. */
export interface InventoryManifest {
  readonly objectArn: string;
  readonly eTag: string;
}

export interface JobOptions {
  readonly prefix?: string;
  /** Use this inventory manifest instead of a manifest generated at job creation. */
  readonly manifest?: InventoryManifest;
  /** `userArguments.force`: sanitize again where the output is current. */
  readonly force?: boolean;
  readonly clientRequestToken?: string;
}

/** The stack's outputs, by name; every one the backfill needs must be there. */
export async function readStackOutputs(cloudFormation: CloudFormationClient, stackName: string): Promise<BackfillStack> {
  const { Stacks = [] } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
  const outputs = new Map((Stacks[0]?.Outputs ?? []).map((output) => [output.OutputKey, output.OutputValue]));
  const required = ['inputBucket', 'functionArn', 'roleArn', 'reportLocation'] as const;
  const missing = required.filter((name) => !outputs.get(STACK_OUTPUTS[name])).map((name) => STACK_OUTPUTS[name]);
  if (missing.length > 0) throw new Error(`Stack ${stackName} has no output ${missing.join(', ')}: deploy a version of the stack with the backfill role`);
  const value = (name: keyof typeof STACK_OUTPUTS) => outputs.get(STACK_OUTPUTS[name]);
  const inventoryLocation = value('inventoryLocation');
  return {
    inputBucket: value('inputBucket')!,
    functionArn: value('functionArn')!,
    roleArn: value('roleArn')!,
    reportLocation: value('reportLocation')!,
    ...(inventoryLocation ? { inventoryLocation } : {}),
  };
}

/** `arn:aws:iam::123456789012:role/x` → its partition and account. */
export function arnParts(arn: string): { partition: string; accountId: string } {
  const match = /^arn:([\w-]+):[\w-]*:[\w-]*:(\d{12}):/.exec(arn);
  if (!match) throw new Error(`Not an ARN with an account: ${arn}`);
  return { partition: match[1], accountId: match[2] };
}

/** `s3://bucket/some/prefix/` → bucket and prefix (without the trailing slash). */
export function parseS3Uri(uri: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!match) throw new Error(`Not an s3:// location: ${uri}`);
  return { bucket: match[1], prefix: match[2].replace(/\/+$/, '') };
}

/**
 * The CreateJob request of a backfill: invoke the sanitizer (schema 2.0) on every current object
 * of the input bucket (or under `prefix`), from a manifest Batch Operations generates, or from an
 * inventory manifest; a completion report of all tasks to the stack's report location. Runs
 * without confirmation: the command itself is the confirmation (or `--dry-run`, to look first).
 */
export function createJobRequest(stack: BackfillStack, options: JobOptions = {}): CreateJobCommandInput {
  const { partition, accountId } = arnParts(stack.roleArn);
  const report = parseS3Uri(stack.reportLocation);
  const bucketArn = (name: string) => `arn:${partition}:s3:::${name}`;
  const request: CreateJobCommandInput = {
    AccountId: accountId,
    ConfirmationRequired: false,
    Description: `image-sanitizer backfill of s3://${stack.inputBucket}/${options.prefix ?? ''}`.slice(0, 256),
    Priority: 10,
    RoleArn: stack.roleArn,
    ClientRequestToken: options.clientRequestToken ?? randomUUID(),
    Operation: {
      LambdaInvoke: {
        FunctionArn: stack.functionArn,
        InvocationSchemaVersion: '2.0',
        ...(options.force ? { UserArguments: { force: 'true' } } : {}),
      },
    },
    Report: {
      Enabled: true,
      Bucket: bucketArn(report.bucket),
      Prefix: report.prefix,
      Format: 'Report_CSV_20180820',
      ReportScope: 'AllTasks',
    },
  };
  if (options.manifest) {
    return {
      ...request,
      Manifest: {
        Spec: { Format: 'S3InventoryReport_CSV_20161130' },
        Location: { ObjectArn: options.manifest.objectArn, ETag: options.manifest.eTag },
      },
    };
  }
  return {
    ...request,
    ManifestGenerator: {
      S3JobManifestGenerator: {
        ExpectedBucketOwner: accountId,
        SourceBucket: bucketArn(stack.inputBucket),
        EnableManifestOutput: false,
        ...(options.prefix ? { Filter: { KeyNameConstraint: { MatchAnyPrefix: [options.prefix] } } } : {}),
      },
    },
  };
}

/**
 * The newest `manifest.json` under an inventory location (`s3://bucket/inventory/<source>/<id>/`):
 * S3 Inventory writes one folder per delivery, named by its date, so the last one listed is the newest.
 */
export async function latestInventoryManifest(s3: S3Client, inventoryLocation: string, partition = 'aws'): Promise<InventoryManifest> {
  const { bucket, prefix } = parseS3Uri(inventoryLocation);
  let newest: string | undefined;
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}/`, Delimiter: '/', ...(token ? { ContinuationToken: token } : {}) }));
    for (const folder of page.CommonPrefixes ?? []) {
      if (folder.Prefix && /\d{4}-\d{2}-\d{2}T\d{2}-\d{2}Z\/$/.test(folder.Prefix) && (newest === undefined || folder.Prefix > newest)) newest = folder.Prefix;
    }
    token = page.NextContinuationToken;
  } while (token);
  if (newest === undefined) throw new Error(`No inventory delivered under ${inventoryLocation} yet (the first arrives within 48 hours of enabling it)`);
  const key = `${newest}manifest.json`;
  const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  if (!head.ETag) throw new Error(`s3://${bucket}/${key} has no ETag`);
  return { objectArn: `arn:${partition}:s3:::${bucket}/${key}`, eTag: head.ETag.replace(/^"|"$/g, '') };
}

/** Job states after which nothing changes. */
const FINISHED = new Set(['Complete', 'Failed', 'Cancelled']);

export interface FollowOptions {
  readonly intervalMs?: number;
  readonly progress?: ProgressBar;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Poll DescribeJob until the job has finished, drawing its task counts; the last descriptor. */
export async function followJob(s3Control: S3ControlClient, accountId: string, jobId: string, options: FollowOptions = {}): Promise<JobDescriptor> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (;;) {
    const { Job } = await s3Control.send(new DescribeJobCommand({ AccountId: accountId, JobId: jobId }));
    if (Job === undefined) throw new Error(`DescribeJob returned no job ${jobId}`);
    const summary = Job.ProgressSummary ?? {};
    const state = {
      done: (summary.NumberOfTasksSucceeded ?? 0) + (summary.NumberOfTasksFailed ?? 0),
      failed: summary.NumberOfTasksFailed ?? 0,
      ...(summary.TotalNumberOfTasks === undefined ? {} : { total: summary.TotalNumberOfTasks }),
    };
    if (FINISHED.has(Job.Status ?? '')) {
      options.progress?.finish(state);
      return Job;
    }
    options.progress?.update(state, true);
    await sleep(options.intervalMs ?? 5000);
  }
}

export interface AwsBackfillDeps {
  readonly cloudFormation: CloudFormationClient;
  readonly s3Control: S3ControlClient;
  readonly s3: S3Client;
  readonly print: (line: string) => void;
}

export interface AwsBackfillOptions extends JobOptions {
  readonly stackName: string;
  readonly dryRun?: boolean;
  /** Use the stack's newest inventory manifest. */
  readonly inventory?: boolean;
  readonly follow?: FollowOptions;
}

export interface AwsBackfillResult {
  readonly request: CreateJobCommandInput;
  readonly jobId?: string;
  readonly job?: JobDescriptor;
  /** Where the completion report is (or will be). */
  readonly reportLocation?: string;
}

/** `npm run backfill -- --stack NAME`: create the job (or print it, with `dryRun`), follow it, say where the report is. */
export async function runAwsBackfill(deps: AwsBackfillDeps, options: AwsBackfillOptions): Promise<AwsBackfillResult> {
  const stack = await readStackOutputs(deps.cloudFormation, options.stackName);
  let manifest = options.manifest;
  if (options.inventory && manifest === undefined) {
    if (!stack.inventoryLocation) throw new Error(`Stack ${options.stackName} has no inventory (deploy it with backfillInventory: true)`);
    if (options.prefix) throw new Error('--prefix filters a generated manifest; an inventory manifest lists the whole bucket');
    manifest = await latestInventoryManifest(deps.s3, stack.inventoryLocation, arnParts(stack.roleArn).partition);
  }
  const request = createJobRequest(stack, { ...options, ...(manifest ? { manifest } : {}) });
  if (options.dryRun) {
    deps.print(JSON.stringify(request, null, 2));
    return { request };
  }
  const { JobId } = await deps.s3Control.send(new CreateJobCommand(request));
  if (!JobId) throw new Error('CreateJob returned no JobId');
  const reportLocation = `${stack.reportLocation.replace(/\/?$/, '/')}job-${JobId}/`;
  deps.print(`Created S3 Batch Operations job ${JobId} (${manifest ? 'inventory manifest' : 'generated manifest'}); following it ...`);
  const job = await followJob(deps.s3Control, request.AccountId!, JobId, options.follow);
  const summary = job.ProgressSummary ?? {};
  deps.print(
    `Job ${JobId} ${job.Status}: ${summary.NumberOfTasksSucceeded ?? 0} succeeded, ${summary.NumberOfTasksFailed ?? 0} failed ` +
      `of ${summary.TotalNumberOfTasks ?? '?'}.${job.FailureReasons?.length ? ` ${job.FailureReasons.map((r) => `${r.FailureCode}: ${r.FailureReason}`).join('; ')}` : ''}`,
  );
  deps.print(`Completion report: ${reportLocation} (manifest.json names the CSV files; Bucket, Key, VersionId, TaskStatus, ErrorCode, HTTPStatusCode, ResultMessage)`);
  return { request, jobId: JobId, job, reportLocation };
}
