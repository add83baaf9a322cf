// The synthesized pipeline evaluated by an IAM policy engine (@cloud-copilot/iam-simulate): every
// cell of the access table, principals x actions x resources x with/without TLS, must be allowed
// exactly where the table says so and denied everywhere else. The string assertions in
// pipeline*.test.ts say what the template contains; this says what it lets anyone do.
import { beforeAll, describe, expect, it } from 'vitest';
import { logicalId, synthesizePipeline } from './helpers.js';
import {
  ACCOUNT,
  allowAll,
  anonymousPrincipal,
  ConcreteTemplate,
  decide,
  FOREIGN_ACCOUNT,
  OTHER_ACCOUNT,
  REGION,
  roleSession,
  type Caller,
  type Request,
} from './iam-engine.js';

type Who = 'userA' | 'userB' | 'function' | 'nobody' | 'admin' | 'otherAccount' | 'anonymous';
type Where = 'input' | 'output' | 'logs' | 'foreign';
type QueueName = 'queue' | 'dlq';

const OBJECT_ACTIONS = [
  's3:GetObject',
  's3:GetObjectVersion',
  's3:GetObjectTagging',
  's3:PutObject',
  's3:PutObjectTagging',
  's3:PutObjectAcl',
  's3:DeleteObject',
  's3:DeleteObjectVersion',
  's3:AbortMultipartUpload',
] as const;
const BUCKET_ACTIONS = ['s3:ListBucket', 's3:ListBucketVersions', 's3:PutBucketPolicy', 's3:DeleteBucket'] as const;
const QUEUE_ACTIONS = ['sqs:SendMessage', 'sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:PurgeQueue', 'sqs:SetQueueAttributes'] as const;
const KEY_ACTIONS = ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:ScheduleKeyDeletion', 'kms:PutKeyPolicy'] as const;
const LOG_ACTIONS = ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DeleteLogGroup'] as const;

/** What the access table grants, with TLS; everything not listed is denied. */
const TABLE: Record<Exclude<Who, 'admin'>, readonly string[]> = {
  userA: ['input s3:GetObject', 'input s3:PutObject', 'input s3:ListBucket', 'key kms:Decrypt', 'key kms:GenerateDataKey'],
  userB: ['output s3:GetObject', 'output s3:ListBucket', 'key kms:Decrypt'],
  function: [
    'input s3:GetObject',
    'input s3:GetObjectVersion',
    'input s3:GetObjectTagging',
    'input s3:PutObjectTagging',
    'input s3:ListBucket',
    'output s3:PutObject',
    'output s3:GetObject',
    'output s3:DeleteObject',
    'output s3:AbortMultipartUpload',
    'output s3:ListBucket',
    'queue sqs:ReceiveMessage',
    'queue sqs:DeleteMessage',
    'logs logs:CreateLogStream',
    'logs logs:PutLogEvents',
    'key kms:Decrypt',
    'key kms:GenerateDataKey',
  ],
  nobody: [],
  otherAccount: [],
  anonymous: [],
};

/**
 * An administrator of the account (s3:*, sqs:*, kms:*, logs:* on *) may do everything in the
 * account, except write or delete output objects: the output bucket's policy denies that to
 * everyone but the function. Nothing outside the account (the foreign bucket and key).
 */
const OUTPUT_WRITES = new Set<string>(['s3:PutObject', 's3:PutObjectTagging', 's3:PutObjectAcl', 's3:DeleteObject', 's3:DeleteObjectVersion', 's3:AbortMultipartUpload']);
function adminAllowed(cell: string): boolean {
  const [where, action] = cell.split(' ');
  if (where === 'foreign' || where === 'foreignKey') return false;
  return !(where === 'output' && OUTPUT_WRITES.has(action));
}

/** S3 and SQS refuse every request without TLS (bucket and queue policies); KMS and CloudWatch Logs only have HTTPS endpoints. */
const needsTlsPolicy = (action: string): boolean => action.startsWith('s3:') || action.startsWith('sqs:');

function expected(who: Who, cell: string, tls: boolean): boolean {
  const action = cell.split(' ')[1];
  if (!tls && needsTlsPolicy(action)) return false;
  return who === 'admin' ? adminAllowed(cell) : TABLE[who].includes(cell);
}

describe('IAM engine: the access table of the synthesized pipeline (KMS on)', () => {
  let concrete: ConcreteTemplate;
  let callers: Record<Who, Caller>;
  let ids: Record<string, string>;
  let cells: { cell: string; request: Omit<Request, 'tls'> }[];

  beforeAll(() => {
    const synth = synthesizePipeline(() => ({ enableKms: true }));
    const p = synth.pipeline;
    concrete = new ConcreteTemplate(synth.template.toJSON());
    ids = {
      input: logicalId(p.inputBucket),
      output: logicalId(p.outputBucket),
      logs: logicalId(p.accessLogBucket!),
      queue: logicalId(p.queue),
      dlq: logicalId(p.deadLetterQueue),
      key: logicalId(p.encryptionKey!),
      fnRole: logicalId(p.functionRole),
      uploader: logicalId(p.uploaderRole),
      reader: logicalId(p.readerRole),
      logGroup: logicalId(p.logGroup),
    };
    const roleArn = (id: string) => concrete.attribute(id, 'Arn');
    callers = {
      userA: roleSession('userA', roleArn(ids.uploader), concrete.identityPolicies(ids.uploader)),
      userB: roleSession('userB', roleArn(ids.reader), concrete.identityPolicies(ids.reader)),
      function: roleSession('function', roleArn(ids.fnRole), concrete.identityPolicies(ids.fnRole)),
      nobody: roleSession('nobody', `arn:aws:iam::${ACCOUNT}:role/Intern`, []),
      admin: roleSession('admin', `arn:aws:iam::${ACCOUNT}:role/Admin`, [allowAll('Admin', ['s3:*', 'sqs:*', 'kms:*', 'logs:*'])]),
      otherAccount: roleSession('otherAccount', `arn:aws:iam::${OTHER_ACCOUNT}:role/Outsider`, [allowAll('Everything', ['*'])]),
      anonymous: { name: 'anonymous', principal: anonymousPrincipal, identityPolicies: [], context: {} },
    };

    const bucketName = (where: Where) => (where === 'foreign' ? 'someone-elses-bucket' : concrete.ref(ids[where]));
    const bucketCells = (['input', 'output', 'logs', 'foreign'] as const).flatMap((where) => {
      const resourceAccount = where === 'foreign' ? FOREIGN_ACCOUNT : ACCOUNT;
      const resourcePolicy = where === 'foreign' ? undefined : concrete.bucketPolicy(ids[where]);
      return [
        ...OBJECT_ACTIONS.map((action) => ({
          cell: `${where} ${action}`,
          request: { action, resource: `arn:aws:s3:::${bucketName(where)}/photos/a.jpg`, resourceAccount, resourcePolicy },
        })),
        ...BUCKET_ACTIONS.map((action) => ({
          cell: `${where} ${action}`,
          request: { action, resource: `arn:aws:s3:::${bucketName(where)}`, resourceAccount, resourcePolicy },
        })),
      ];
    });
    const queueCells = (['queue', 'dlq'] as QueueName[]).flatMap((queue) =>
      QUEUE_ACTIONS.map((action) => ({
        cell: `${queue} ${action}`,
        request: { action, resource: concrete.attribute(ids[queue], 'Arn'), resourceAccount: ACCOUNT, resourcePolicy: concrete.queuePolicy(ids[queue]) },
      })),
    );
    const keyCells = [
      ...KEY_ACTIONS.map((action) => ({
        cell: `key ${action}`,
        request: { action, resource: concrete.attribute(ids.key, 'Arn'), resourceAccount: ACCOUNT, resourcePolicy: concrete.keyPolicy(ids.key) },
      })),
      ...KEY_ACTIONS.map((action) => ({
        cell: `foreignKey ${action}`,
        request: { action, resource: `arn:aws:kms:${REGION}:${FOREIGN_ACCOUNT}:key/foreign`, resourceAccount: FOREIGN_ACCOUNT, resourcePolicy: undefined },
      })),
    ];
    const logGroupArn = concrete.attribute(ids.logGroup, 'Arn').replace(/:\*$/, '');
    const logCells = LOG_ACTIONS.map((action) => ({
      cell: `logs ${action}`,
      request: {
        action,
        // Creating and writing a stream are authorized on the stream; deleting the group on the group.
        resource: action === 'logs:DeleteLogGroup' ? logGroupArn : `${logGroupArn}:log-stream:2026/01/01/[$LATEST]abc`,
        resourceAccount: ACCOUNT,
        resourcePolicy: undefined,
      },
    }));
    cells = [...bucketCells, ...queueCells, ...keyCells, ...logCells];
  }, 120_000);

  it('covers 7 principals x 73 action/resource pairs x with and without TLS (1,022 cells)', () => {
    expect(cells).toHaveLength(4 * (OBJECT_ACTIONS.length + BUCKET_ACTIONS.length) + 2 * QUEUE_ACTIONS.length + 2 * KEY_ACTIONS.length + LOG_ACTIONS.length);
    expect(cells).toHaveLength(73);
    // Every cell the table allows exists (a typo in the table would otherwise pass as "denied").
    const names = new Set(cells.map((c) => c.cell));
    expect(Object.values(TABLE).flat().filter((cell) => !names.has(cell))).toEqual([]);
  });

  it.each(['userA', 'userB', 'function', 'nobody', 'admin', 'otherAccount', 'anonymous'] as Who[])(
    '%s: allowed exactly where the table says, with and without TLS',
    async (who) => {
      const wrong: string[] = [];
      let allowed = 0;
      for (const tls of [true, false]) {
        for (const { cell, request } of cells) {
          const decision = await decide(callers[who], { ...request, tls });
          if (decision === 'Allowed') allowed++;
          if ((decision === 'Allowed') !== expected(who, cell, tls)) wrong.push(`${cell}${tls ? '' : ' (no TLS)'}: ${decision}`);
        }
      }
      expect(wrong).toEqual([]);
      expect(allowed).toBe(cells.filter(({ cell }) => expected(who, cell, true)).length + cells.filter(({ cell }) => expected(who, cell, false)).length);
    },
    120_000,
  );

  describe('uploads the function could not read are refused', () => {
    const upload = (context: Record<string, string>): Request => ({
      action: 's3:PutObject',
      resource: `arn:aws:s3:::${concrete.ref(ids.input)}/photos/a.jpg`,
      resourceAccount: ACCOUNT,
      resourcePolicy: concrete.bucketPolicy(ids.input),
      tls: true,
      context,
    });

    it('SSE-C is denied to User A, even to an administrator', async () => {
      const sseC = { 's3:x-amz-server-side-encryption-customer-algorithm': 'AES256' };
      expect(await decide(callers.userA, upload(sseC))).toBe('ExplicitlyDenied');
      expect(await decide(callers.admin, upload(sseC))).toBe('ExplicitlyDenied');
    });

    it('SSE-KMS with a foreign key is denied; with the pipeline key, or no key named, allowed', async () => {
      const foreign = { 's3:x-amz-server-side-encryption': 'aws:kms', 's3:x-amz-server-side-encryption-aws-kms-key-id': `arn:aws:kms:${REGION}:${FOREIGN_ACCOUNT}:key/foreign` };
      const ours = { 's3:x-amz-server-side-encryption': 'aws:kms', 's3:x-amz-server-side-encryption-aws-kms-key-id': concrete.attribute(ids.key, 'Arn') };
      expect(await decide(callers.userA, upload(foreign))).toBe('ExplicitlyDenied');
      expect(await decide(callers.userA, upload(ours))).toBe('Allowed');
      expect(await decide(callers.userA, upload({}))).toBe('Allowed');
    });
  });

  describe('role trust', () => {
    const assume = (roleId: string): Request => ({
      action: 'sts:AssumeRole',
      resource: concrete.attribute(roleId, 'Arn'),
      resourceAccount: ACCOUNT,
      resourcePolicy: concrete.trustPolicy(roleId),
      tls: true,
    });
    const mayAssume = allowAll('MayAssumeAnyRole', ['sts:AssumeRole']);

    it('an untagged principal of the account, even one allowed sts:AssumeRole on *, assumes neither role', async () => {
      const ci = roleSession('ci', `arn:aws:iam::${ACCOUNT}:role/CI`, [mayAssume]);
      expect(await decide(ci, assume(ids.uploader))).not.toBe('Allowed');
      expect(await decide(ci, assume(ids.reader))).not.toBe('Allowed');
    });

    it('a principal tagged image-sanitizer-access=uploader assumes User A, not User B; =reader the reverse', async () => {
      const uploader = roleSession('tagged uploader', `arn:aws:iam::${ACCOUNT}:role/Lab`, [mayAssume], { 'image-sanitizer-access': 'uploader' });
      const reader = roleSession('tagged reader', `arn:aws:iam::${ACCOUNT}:role/Viewer`, [mayAssume], { 'image-sanitizer-access': 'reader' });
      expect(await decide(uploader, assume(ids.uploader))).toBe('Allowed');
      expect(await decide(uploader, assume(ids.reader))).not.toBe('Allowed');
      expect(await decide(reader, assume(ids.reader))).toBe('Allowed');
      expect(await decide(reader, assume(ids.uploader))).not.toBe('Allowed');
    });

    it('a tagged principal still needs its own sts:AssumeRole permission', async () => {
      const tagged = roleSession('tagged, no policy', `arn:aws:iam::${ACCOUNT}:role/Lab`, [], { 'image-sanitizer-access': 'uploader' });
      expect(await decide(tagged, assume(ids.uploader))).not.toBe('Allowed');
    });

    it('a principal of another account, tagged or not, assumes neither role', async () => {
      const outsider = roleSession('outsider', `arn:aws:iam::${OTHER_ACCOUNT}:role/Lab`, [mayAssume], { 'image-sanitizer-access': 'uploader' });
      expect(await decide(outsider, assume(ids.uploader))).not.toBe('Allowed');
      expect(await decide(outsider, assume(ids.reader))).not.toBe('Allowed');
    });

    it('only Lambda assumes the function role', async () => {
      const service = (name: string): Caller => ({ name, principal: name, identityPolicies: [], context: {} });
      expect(await decide(service('lambda.amazonaws.com'), assume(ids.fnRole))).toBe('Allowed');
      expect(await decide(service('ec2.amazonaws.com'), assume(ids.fnRole))).not.toBe('Allowed');
      expect(await decide(roleSession('admin', `arn:aws:iam::${ACCOUNT}:role/Admin`, [mayAssume]), assume(ids.fnRole))).not.toBe('Allowed');
    });
  });

  describe('service principals act only for this account and these resources', () => {
    const service = (name: string, sourceArn: string, sourceAccount = ACCOUNT): Caller => ({
      name,
      principal: name,
      identityPolicies: [],
      context: { 'aws:SourceArn': sourceArn, 'aws:SourceAccount': sourceAccount },
    });
    const alarmArn = (account: string) => `arn:aws:cloudwatch:${REGION}:${account}:alarm:DeadLetters`;
    const keyRequest = (action: string): Request => ({
      action,
      resource: concrete.attribute(ids.key, 'Arn'),
      resourceAccount: ACCOUNT,
      resourcePolicy: concrete.keyPolicy(ids.key),
      tls: true,
    });

    it("CloudWatch may use the key for this account's alarms only", async () => {
      expect(await decide(service('cloudwatch.amazonaws.com', alarmArn(ACCOUNT)), keyRequest('kms:GenerateDataKey'))).toBe('Allowed');
      expect(await decide(service('cloudwatch.amazonaws.com', alarmArn(OTHER_ACCOUNT), OTHER_ACCOUNT), keyRequest('kms:GenerateDataKey'))).not.toBe('Allowed');
      expect(await decide(service('cloudwatch.amazonaws.com', alarmArn(OTHER_ACCOUNT)), keyRequest('kms:Decrypt'))).not.toBe('Allowed');
      expect(await decide(service('cloudwatch.amazonaws.com', alarmArn(ACCOUNT)), keyRequest('kms:ScheduleKeyDeletion'))).not.toBe('Allowed');
    });

    it("S3 may queue events and use the key for the input bucket's events only", async () => {
      const inputArn = concrete.attribute(ids.input, 'Arn');
      const send: Request = {
        action: 'sqs:SendMessage',
        resource: concrete.attribute(ids.queue, 'Arn'),
        resourceAccount: ACCOUNT,
        resourcePolicy: concrete.queuePolicy(ids.queue),
        tls: true,
      };
      expect(await decide(service('s3.amazonaws.com', inputArn), send)).toBe('Allowed');
      expect(await decide(service('s3.amazonaws.com', inputArn), keyRequest('kms:GenerateDataKey'))).toBe('Allowed');
      expect(await decide(service('s3.amazonaws.com', 'arn:aws:s3:::someone-elses-bucket'), send)).not.toBe('Allowed');
      expect(await decide(service('s3.amazonaws.com', inputArn, OTHER_ACCOUNT), send)).not.toBe('Allowed');
      expect(await decide(service('s3.amazonaws.com', 'arn:aws:s3:::someone-elses-bucket'), keyRequest('kms:GenerateDataKey'))).not.toBe('Allowed');
      expect(await decide(service('s3.amazonaws.com', inputArn), { ...send, resource: concrete.attribute(ids.dlq, 'Arn'), resourcePolicy: concrete.queuePolicy(ids.dlq) })).not.toBe('Allowed');
    });

    it('S3 server access logging may write the logs of the two data buckets, each under its prefix', async () => {
      const logObject = (prefix: string): Request => ({
        action: 's3:PutObject',
        resource: `arn:aws:s3:::${concrete.ref(ids.logs)}/${prefix}2026-01-01-00-00-00-ABCDEF`,
        resourceAccount: ACCOUNT,
        resourcePolicy: concrete.bucketPolicy(ids.logs),
        tls: true,
      });
      const logging = (bucket: string, account = ACCOUNT) => service('logging.s3.amazonaws.com', concrete.attribute(ids[bucket], 'Arn'), account);
      expect(await decide(logging('input'), logObject('input/'))).toBe('Allowed');
      expect(await decide(logging('output'), logObject('output/'))).toBe('Allowed');
      expect(await decide(logging('input'), logObject('output/'))).not.toBe('Allowed');
      expect(await decide(logging('input', OTHER_ACCOUNT), logObject('input/'))).not.toBe('Allowed');
      expect(await decide(service('logging.s3.amazonaws.com', 'arn:aws:s3:::someone-elses-bucket'), logObject('input/'))).not.toBe('Allowed');
    });
  });
});

describe('IAM engine: explicit principal ARNs and S3-managed encryption (KMS off)', () => {
  const LISTED_UPLOADER = `arn:aws:iam::${ACCOUNT}:role/lab-uploader`;
  const LISTED_READER = `arn:aws:iam::${OTHER_ACCOUNT}:user/analyst`;
  let concrete: ConcreteTemplate;
  let ids: Record<'input' | 'uploader' | 'reader', string>;

  beforeAll(() => {
    const synth = synthesizePipeline(() => ({ uploaderPrincipalArns: [LISTED_UPLOADER], readerPrincipalArns: [LISTED_READER] }));
    concrete = new ConcreteTemplate(synth.template.toJSON());
    ids = { input: logicalId(synth.pipeline.inputBucket), uploader: logicalId(synth.pipeline.uploaderRole), reader: logicalId(synth.pipeline.readerRole) };
  }, 120_000);

  const assume = (roleId: string): Request => ({
    action: 'sts:AssumeRole',
    resource: concrete.attribute(roleId, 'Arn'),
    resourceAccount: ACCOUNT,
    resourcePolicy: concrete.trustPolicy(roleId),
    tls: true,
  });
  const mayAssume = allowAll('MayAssumeAnyRole', ['sts:AssumeRole']);

  it('a listed principal assumes its role; the tag no longer grants anything', async () => {
    const listed = roleSession('listed uploader', LISTED_UPLOADER, [mayAssume]);
    const tagged = roleSession('tagged, unlisted', `arn:aws:iam::${ACCOUNT}:role/Lab`, [mayAssume], { 'image-sanitizer-access': 'uploader' });
    expect(await decide(listed, assume(ids.uploader))).toBe('Allowed');
    expect(await decide(listed, assume(ids.reader))).not.toBe('Allowed');
    expect(await decide(tagged, assume(ids.uploader))).not.toBe('Allowed');
  });

  it('a listed principal of another account assumes its role when its own account allows it, nobody else there does', async () => {
    const analyst: Caller = {
      name: 'analyst',
      principal: LISTED_READER,
      identityPolicies: [mayAssume],
      context: { 'aws:PrincipalArn': LISTED_READER, 'aws:PrincipalAccount': OTHER_ACCOUNT },
    };
    const colleague = roleSession('colleague', `arn:aws:iam::${OTHER_ACCOUNT}:role/Colleague`, [mayAssume]);
    expect(await decide(analyst, assume(ids.reader))).toBe('Allowed');
    expect(await decide(colleague, assume(ids.reader))).not.toBe('Allowed');
  });

  it('with S3-managed encryption, the input bucket refuses any SSE-KMS upload and SSE-C, and accepts a plain one', async () => {
    const upload = (context: Record<string, string>): Request => ({
      action: 's3:PutObject',
      resource: `arn:aws:s3:::${concrete.ref(ids.input)}/photos/a.jpg`,
      resourceAccount: ACCOUNT,
      resourcePolicy: concrete.bucketPolicy(ids.input),
      tls: true,
      context,
    });
    const userA = roleSession('userA', concrete.attribute(ids.uploader, 'Arn'), concrete.identityPolicies(ids.uploader));
    expect(await decide(userA, upload({}))).toBe('Allowed');
    expect(await decide(userA, upload({ 's3:x-amz-server-side-encryption': 'AES256' }))).toBe('Allowed');
    expect(await decide(userA, upload({ 's3:x-amz-server-side-encryption': 'aws:kms' }))).toBe('ExplicitlyDenied');
    expect(await decide(userA, upload({ 's3:x-amz-server-side-encryption': 'aws:kms:dsse' }))).toBe('ExplicitlyDenied');
    expect(await decide(userA, upload({ 's3:x-amz-server-side-encryption-customer-algorithm': 'AES256' }))).toBe('ExplicitlyDenied');
  });
});
