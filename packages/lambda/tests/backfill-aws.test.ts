// The AWS backfill command against the SDK's own serialization: real clients whose HTTP handler records each
// request (method, host, path, body as the SDK signs and sends it) and answers as the services document.
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createJobRequest, runAwsBackfill, STACK_OUTPUTS } from '../src/backfill/aws.js';
import { ProgressBar } from '../src/backfill/progress.js';

interface Sent {
  readonly method: string;
  readonly hostname: string;
  readonly path: string;
  readonly query: Record<string, unknown>;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** An HTTP handler for SDK clients: records each request and answers with the next XML body for its route. */
function transport(answer: (request: Sent) => string) {
  const sent: Sent[] = [];
  return {
    sent,
    requestHandler: {
      async handle(request: Sent & { body?: unknown }) {
        const recorded = { method: request.method, hostname: request.hostname, path: request.path, query: request.query ?? {}, headers: request.headers, body: String(request.body ?? '') };
        sent.push(recorded);
        const body = answer(recorded);
        // A HEAD answers with headers only: the object's ETag, quoted as S3 sends it.
        const headers: Record<string, string> = request.method === 'HEAD' ? { etag: '"0f343b0931126a20f133d67c2b018a3b"', 'content-length': '0' } : { 'content-type': 'text/xml' };
        return { response: { statusCode: 200, headers, body: Readable.from([Buffer.from(body)]) } };
      },
    },
  };
}

const ACCOUNT = '111122223333';
const OUTPUTS = {
  [STACK_OUTPUTS.inputBucket]: 'genomics-platform-input-prod',
  [STACK_OUTPUTS.functionArn]: `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:ImageSanitizer-prod-Function`,
  [STACK_OUTPUTS.roleArn]: `arn:aws:iam::${ACCOUNT}:role/ImageSanitizer-prod-BackfillRole`,
  [STACK_OUTPUTS.reportLocation]: 's3://imagesanitizer-prod-backfillreports/reports/',
  [STACK_OUTPUTS.inventoryLocation]: 's3://imagesanitizer-prod-backfillreports/inventory/genomics-platform-input-prod/backfill-manifest/',
};

const describeStacks = (outputs: Record<string, string>) =>
  `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member>` +
  `<StackName>ImageSanitizer-prod</StackName><StackStatus>CREATE_COMPLETE</StackStatus><CreationTime>2026-01-01T00:00:00Z</CreationTime><Outputs>` +
  Object.entries(outputs).map(([key, value]) => `<member><OutputKey>${key}</OutputKey><OutputValue>${value}</OutputValue></member>`).join('') +
  `</Outputs></member></Stacks></DescribeStacksResult></DescribeStacksResponse>`;

const describeJob = (status: string, total: number, succeeded: number, failed: number) =>
  `<DescribeJobResult xmlns="http://awss3control.amazonaws.com/doc/2018-08-20/"><Job><JobId>job-42</JobId><Status>${status}</Status>` +
  `<ProgressSummary><TotalNumberOfTasks>${total}</TotalNumberOfTasks><NumberOfTasksSucceeded>${succeeded}</NumberOfTasksSucceeded><NumberOfTasksFailed>${failed}</NumberOfTasksFailed></ProgressSummary></Job></DescribeJobResult>`;

const clientConfig = { region: 'eu-west-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }, maxAttempts: 1 };
const clients: Array<{ destroy(): void }> = [];
afterEach(() => clients.splice(0).forEach((client) => client.destroy()));

function deps(answer: (request: Sent) => string) {
  const wire = transport(answer);
  const made = {
    cloudFormation: new CloudFormationClient({ ...clientConfig, requestHandler: wire.requestHandler as never }),
    s3Control: new S3ControlClient({ ...clientConfig, requestHandler: wire.requestHandler as never }),
    s3: new S3Client({ ...clientConfig, requestHandler: wire.requestHandler as never }),
  };
  clients.push(made.cloudFormation, made.s3Control, made.s3);
  const printed: string[] = [];
  return { wire, printed, deps: { ...made, print: (line: string) => printed.push(line) } };
}

/** Answers DescribeStacks with OUTPUTS, CreateJob with job-42, and DescribeJob with `jobStates` in turn. */
function service(jobStates: string[] = []) {
  return (request: Sent): string => {
    if (request.hostname.startsWith('cloudformation.')) return describeStacks(OUTPUTS);
    if (request.method === 'POST' && request.path === '/v20180820/jobs') return '<CreateJobResult><JobId>job-42</JobId></CreateJobResult>';
    if (request.method === 'GET' && request.path === '/v20180820/jobs/job-42') return jobStates.shift() ?? describeJob('Complete', 3, 3, 0);
    throw new Error(`unexpected request ${request.method} ${request.hostname}${request.path}`);
  };
}

describe('npm run backfill -- --stack', () => {
  it('--dry-run reads the stack outputs and prints the CreateJob request without sending it', async () => {
    // Prepare
    const { wire, printed, deps: d } = deps(service());

    // Act
    const result = await runAwsBackfill(d, { stackName: 'ImageSanitizer-prod', prefix: 'photos/2019/', dryRun: true, clientRequestToken: 'token-1' });

    // Assess
    expect(wire.sent.map((r) => `${r.method} ${r.hostname}`)).toEqual(['POST cloudformation.eu-west-1.amazonaws.com']);
    expect(wire.sent[0].body).toBe('Action=DescribeStacks&Version=2010-05-15&StackName=ImageSanitizer-prod');
    expect(JSON.parse(printed.join('\n'))).toEqual(result.request);
    expect(result.request).toEqual({
      AccountId: ACCOUNT,
      ConfirmationRequired: false,
      Description: 'image-sanitizer backfill of s3://genomics-platform-input-prod/photos/2019/',
      Priority: 10,
      RoleArn: OUTPUTS.BackfillRoleArn,
      ClientRequestToken: 'token-1',
      Operation: { LambdaInvoke: { FunctionArn: OUTPUTS.SanitizerFunctionArn, InvocationSchemaVersion: '2.0' } },
      Report: { Enabled: true, Bucket: 'arn:aws:s3:::imagesanitizer-prod-backfillreports', Prefix: 'reports', Format: 'Report_CSV_20180820', ReportScope: 'AllTasks' },
      ManifestGenerator: {
        S3JobManifestGenerator: {
          ExpectedBucketOwner: ACCOUNT,
          SourceBucket: 'arn:aws:s3:::genomics-platform-input-prod',
          EnableManifestOutput: false,
          Filter: { KeyNameConstraint: { MatchAnyPrefix: ['photos/2019/'] } },
        },
      },
    });
  });

  it('creates the job as S3 Control expects it on the wire, follows DescribeJob to the end and prints the report location', async () => {
    // Prepare
    const { wire, printed, deps: d } = deps(service([describeJob('Preparing', 0, 0, 0), describeJob('Active', 3, 1, 0), describeJob('Complete', 3, 2, 1)]));
    const lines: string[] = [];
    const progress = new ProgressBar('batch operations', { write: (text: string) => lines.push(text), isTTY: false } as unknown as NodeJS.WritableStream);

    // Act
    const result = await runAwsBackfill(d, { stackName: 'ImageSanitizer-prod', force: true, clientRequestToken: 'token-2', follow: { progress, sleep: async () => {}, intervalMs: 0 } });

    // Assess: the serialized CreateJob, as S3 Control reads it.
    const create = wire.sent.find((r) => r.method === 'POST' && r.path === '/v20180820/jobs')!;
    expect(create.hostname).toBe(`${ACCOUNT}.s3-control.eu-west-1.amazonaws.com`);
    expect(create.headers['x-amz-account-id']).toBe(ACCOUNT);
    expect(create.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/s3\/aws4_request/);
    expect(create.body).toContain('<CreateJobRequest xmlns="http://awss3control.amazonaws.com/doc/2018-08-20/">');
    expect(create.body).toContain(
      `<Operation><LambdaInvoke><FunctionArn>${OUTPUTS.SanitizerFunctionArn}</FunctionArn><InvocationSchemaVersion>2.0</InvocationSchemaVersion>` +
        '<UserArguments><entry><key>force</key><value>true</value></entry></UserArguments></LambdaInvoke></Operation>',
    );
    expect(create.body).toContain(
      '<Report><Enabled>true</Enabled><Bucket>arn:aws:s3:::imagesanitizer-prod-backfillreports</Bucket><Format>Report_CSV_20180820</Format><Prefix>reports</Prefix><ReportScope>AllTasks</ReportScope></Report>',
    );
    expect(create.body).toContain(
      `<ManifestGenerator><S3JobManifestGenerator><SourceBucket>arn:aws:s3:::genomics-platform-input-prod</SourceBucket><EnableManifestOutput>false</EnableManifestOutput><ExpectedBucketOwner>${ACCOUNT}</ExpectedBucketOwner></S3JobManifestGenerator></ManifestGenerator>`,
    );
    expect(create.body).toContain('<ConfirmationRequired>false</ConfirmationRequired>');
    expect(create.body).not.toContain('<Filter>');
    // Then DescribeJob until the job is Complete.
    expect(wire.sent.filter((r) => r.path === '/v20180820/jobs/job-42').map((r) => r.method)).toEqual(['GET', 'GET', 'GET']);
    expect(result.job?.Status).toBe('Complete');
    expect(lines.join('')).toMatch(/batch operations \[#+\] 3\/3, 1 failed/);
    expect(result.reportLocation).toBe('s3://imagesanitizer-prod-backfillreports/reports/job-job-42/');
    expect(printed.at(-2)).toBe('Job job-42 Complete: 2 succeeded, 1 failed of 3.');
    expect(printed.at(-1)).toMatch(/^Completion report: s3:\/\/imagesanitizer-prod-backfillreports\/reports\/job-job-42\//);
  });

  it('--inventory uses the newest inventory manifest.json, by ARN and ETag', async () => {
    // Prepare
    const listing =
      '<ListBucketResult><Name>imagesanitizer-prod-backfillreports</Name><Prefix>inventory/genomics-platform-input-prod/backfill-manifest/</Prefix><KeyCount>3</KeyCount><IsTruncated>false</IsTruncated>' +
      ['2026-11-29T01-00Z/', '2026-12-01T01-00Z/', '2026-11-30T01-00Z/', 'data/', 'hive/']
        .map((folder) => `<CommonPrefixes><Prefix>inventory/genomics-platform-input-prod/backfill-manifest/${folder}</Prefix></CommonPrefixes>`)
        .join('') +
      '</ListBucketResult>';
    const base = service();
    const { wire, printed, deps: d } = deps((request) => {
      if (request.hostname.includes('backfillreports') || request.path.includes('backfillreports')) return request.method === 'HEAD' ? '' : listing;
      return base(request);
    });

    // Act
    const result = await runAwsBackfill(d, { stackName: 'ImageSanitizer-prod', inventory: true, dryRun: true });

    // Assess
    const head = wire.sent.find((r) => r.method === 'HEAD');
    expect(head?.path).toMatch(/\/inventory\/genomics-platform-input-prod\/backfill-manifest\/2026-12-01T01-00Z\/manifest\.json$/);
    expect(result.request.ManifestGenerator).toBeUndefined();
    expect(result.request.Manifest).toEqual({
      Spec: { Format: 'S3InventoryReport_CSV_20161130' },
      Location: { ObjectArn: 'arn:aws:s3:::imagesanitizer-prod-backfillreports/inventory/genomics-platform-input-prod/backfill-manifest/2026-12-01T01-00Z/manifest.json', ETag: '0f343b0931126a20f133d67c2b018a3b' },
    });
    expect(printed).toHaveLength(1);
  });

  it('names the missing outputs of a stack deployed before the backfill role existed', async () => {
    const { deps: d } = deps(() => describeStacks({ InputBucketName: 'x', QueueUrl: 'y' }));
    await expect(runAwsBackfill(d, { stackName: 'Old', dryRun: true })).rejects.toThrow(/no output SanitizerFunctionArn, BackfillRoleArn, BackfillReportLocation/);
  });

  it('builds the request in any partition from the role ARN', () => {
    const request = createJobRequest({ inputBucket: 'in', functionArn: 'arn:aws-cn:lambda:cn-north-1:111122223333:function:f', roleArn: 'arn:aws-cn:iam::111122223333:role/r', reportLocation: 's3://rep/reports/' });
    expect(request.Report?.Bucket).toBe('arn:aws-cn:s3:::rep');
    expect(request.ManifestGenerator?.S3JobManifestGenerator?.SourceBucket).toBe('arn:aws-cn:s3:::in');
  });
});
