import { Validations, type RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { createAccessRole, functionStatements, keyStatements, readerStatements, uploaderStatements } from './access.js';
import { acknowledgeObjectWildcard } from './acknowledgements.js';
import { createBackfill, type PipelineBackfill } from './backfill.js';
import { createAlarms, createAlarmTopic, type PipelineAlarms } from './alarms.js';
import { createDashboard } from './dashboard.js';
import { MalwareGate } from './malware.js';
import {
  createAccessLogBucket,
  createDataBucket,
  notifyQueueFromCreatedBucket,
  notifyQueueFromExistingBucket,
  PIPELINE_EVENTS,
  type CreatedBucket,
} from './buckets.js';
import { denyOutputWritesToAllBut, denyUnreadableUploads } from './bucket-policies.js';
import { lambdaBundleCode } from './bundle.js';
import {
  defaultDeadLetterQueueProps,
  defaultFunctionEnvironment,
  defaultFunctionProps,
  defaultLogGroupProps,
  defaultUploadQueueProps,
  resolvePipelineSettings,
} from './defaults.js';
import type { ImageSanitizationPipelineProps, PipelineBucketSettings } from './props.js';
import { validatePipelineProps } from './validate.js';

/**
 * Uploads to the input bucket → S3 event → encrypted SQS queue → sanitizer function → sanitized
 * copy in the output bucket; failures retried, then parked in a dead-letter queue; alarms on an
 * encrypted SNS topic; one role for uploaders (User A) and one for readers (User B).
 */
export class ImageSanitizationPipeline extends Construct {
  /** Where User A uploads images. */
  public readonly inputBucket: s3.IBucket;
  /** Where the sanitized copies land, for User B. */
  public readonly outputBucket: s3.IBucket;
  /** Server access logs of the new buckets; undefined when both buckets already existed. */
  public readonly accessLogBucket?: s3.Bucket;
  /** The customer-managed key of the buckets, queues and topic; undefined unless `enableKms`. */
  public readonly encryptionKey?: kms.Key;
  /** Receives the input bucket's object-created events and drives the function. */
  public readonly queue: sqs.Queue;
  /** Holds events that failed `maxReceiveCount` times, for 14 days. */
  public readonly deadLetterQueue: sqs.Queue;
  /** The sanitizer. */
  public readonly sanitizerFunction: lambda.Function;
  /** The function's execution role: read and tag input objects, write output objects, logs, queue. */
  public readonly functionRole: iam.Role;
  /** The function's log group. */
  public readonly logGroup: logs.LogGroup;
  /** User A's role: put/get input objects, list the input bucket. */
  public readonly uploaderRole: iam.Role;
  /** User B's role: get output objects, list the output bucket. */
  public readonly readerRole: iam.Role;
  /** Every alarm publishes here. */
  public readonly alarmTopic: sns.Topic;
  /** The key of the alarm topic: `encryptionKey` when KMS is on, else a key only for the topic. */
  public readonly alarmTopicKey: kms.IKey;
  /** The alarms. */
  public readonly alarms: PipelineAlarms;
  /** The pipeline's dashboard; undefined when `dashboard` is false. */
  public readonly dashboard?: cloudwatch.Dashboard;
  /** GuardDuty Malware Protection on the input bucket; undefined unless `malwareProtection`. */
  public readonly malwareGate?: MalwareGate;
  /** S3 Batch Operations: the job role and the reports bucket, for backfilling objects already in the input bucket. */
  public readonly backfill: PipelineBackfill;

  public constructor(scope: Construct, id: string, props: ImageSanitizationPipelineProps = {}) {
    super(scope, id);
    validatePipelineProps(props);
    const settings = resolvePipelineSettings(props);
    const code = props.code ?? lambdaBundleCode();

    if (settings.enableKms) {
      this.encryptionKey = new kms.Key(this, 'EncryptionKey', {
        description: 'Image sanitizer: buckets, queues and alarm topic',
        enableKeyRotation: true,
        removalPolicy: settings.removalPolicy,
      });
    }

    const needsLogBucket = props.existingInputBucket === undefined || props.existingOutputBucket === undefined;
    this.accessLogBucket = needsLogBucket ? createAccessLogBucket(this, settings.removalPolicy) : undefined;
    const createdInput = this.newBucketUnless(props.existingInputBucket, 'InputBucket', props.inputBucketProps, settings.removalPolicy, 'input/');
    const createdOutput = this.newBucketUnless(props.existingOutputBucket, 'OutputBucket', props.outputBucketProps, settings.removalPolicy, 'output/');
    this.inputBucket = props.existingInputBucket ?? createdInput!.bucket;
    this.outputBucket = props.existingOutputBucket ?? createdOutput!.bucket;
    const inputKey = props.existingInputBucket ? props.existingInputBucket.encryptionKey : this.encryptionKey;
    const outputKey = props.existingOutputBucket ? props.existingOutputBucket.encryptionKey : this.encryptionKey;

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', defaultDeadLetterQueueProps(this.encryptionKey));
    this.queue = new sqs.Queue(
      this,
      'Queue',
      defaultUploadQueueProps(this.encryptionKey, settings.timeout, this.deadLetterQueue, settings.maxReceiveCount),
    );
    // With the malware gate, uploads reach the queue as GuardDuty's clean scan results, not from the bucket.
    const bucketEvents = settings.malwareProtection ? [s3.EventType.OBJECT_REMOVED] : PIPELINE_EVENTS;
    if (createdInput) notifyQueueFromCreatedBucket(createdInput, this.queue, this.encryptionKey, bucketEvents);
    else notifyQueueFromExistingBucket(this.inputBucket, this.queue, bucketEvents);
    if (settings.malwareProtection) {
      this.malwareGate = new MalwareGate(this, 'MalwareGate', {
        bucket: this.inputBucket,
        ...(createdInput ? { bucketName: createdInput.name } : {}),
        ...(inputKey ? { bucketKey: inputKey } : {}),
        queue: this.queue,
      });
    }

    this.logGroup = new logs.LogGroup(this, 'FunctionLogGroup', defaultLogGroupProps(settings));
    this.functionRole = new iam.Role(this, 'FunctionRole', {
      description: 'Image sanitizer function: read and tag input objects, write output objects',
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    [
      ...functionStatements(this.inputBucket, this.outputBucket, this.logGroup),
      ...keyStatements('DecryptInputObjects', [inputKey], ['kms:Decrypt']),
      ...keyStatements('EncryptOutputObjects', [outputKey], ['kms:GenerateDataKey', 'kms:Decrypt']),
    ].forEach((statement) => this.functionRole.addToPrincipalPolicy(statement));
    acknowledgeObjectWildcard(
      this.functionRole,
      this.inputBucket,
      'The function reads and tags whichever object was uploaded; its key is only known at run time. Bucket-level actions are not granted.',
    );
    acknowledgeObjectWildcard(
      this.functionRole,
      this.outputBucket,
      'The function writes the sanitized copy under the uploaded object\'s key, known only at run time; it may write, abort its own multipart uploads, read back (the ordering check) and withdraw (a delete marker) there.',
    );
    if (createdOutput) denyOutputWritesToAllBut(createdOutput.bucket, this.functionRole);
    if (createdInput) denyUnreadableUploads(createdInput.bucket, this.encryptionKey);

    const environment = defaultFunctionEnvironment(this.inputBucket.bucketName, this.outputBucket.bucketName, settings);
    this.sanitizerFunction = new lambda.Function(
      this,
      'Function',
      defaultFunctionProps(code, this.functionRole, this.logGroup, environment, settings),
    );
    if (settings.tracing) {
      Validations.of(this.functionRole).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'Active tracing: CDK grants xray:PutTraceSegments and xray:PutTelemetryRecords, which have no resource-level permissions.',
      });
    }
    this.sanitizerFunction.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: settings.batchSize,
        maxConcurrency: settings.maxConcurrency,
        reportBatchItemFailures: true,
      }),
    );

    this.uploaderRole = createAccessRole(
      this,
      'UploaderRole',
      'Image sanitizer User A: upload to and list the input bucket',
      props.uploaderPrincipalArns,
      'uploader',
      [...uploaderStatements(this.inputBucket), ...keyStatements('UseInputKey', [inputKey], ['kms:GenerateDataKey', 'kms:Decrypt'])],
    );
    acknowledgeObjectWildcard(
      this.uploaderRole,
      this.inputBucket,
      'User A uploads and reads back objects of any key in the input bucket, and only there.',
    );
    this.readerRole = createAccessRole(
      this,
      'ReaderRole',
      'Image sanitizer User B: read and list the output bucket',
      props.readerPrincipalArns,
      'reader',
      [...readerStatements(this.outputBucket), ...keyStatements('DecryptOutputObjects', [outputKey], ['kms:Decrypt'])],
    );
    acknowledgeObjectWildcard(
      this.readerRole,
      this.outputBucket,
      'User B reads sanitized objects of any key in the output bucket, and only there, read-only.',
    );

    this.alarmTopicKey =
      this.encryptionKey ??
      new kms.Key(this, 'AlarmTopicKey', {
        description: 'Image sanitizer: alarm topic',
        enableKeyRotation: true,
        removalPolicy: settings.removalPolicy,
      });
    this.alarmTopic = createAlarmTopic(this, this.alarmTopicKey, props.alarmEmail);
    this.alarms = createAlarms(this, this.alarmTopic, this.sanitizerFunction, this.queue, this.deadLetterQueue, settings.serviceName);

    if (settings.dashboard) {
      this.dashboard = createDashboard(this, 'Dashboard', {
        fn: this.sanitizerFunction,
        queue: this.queue,
        deadLetterQueue: this.deadLetterQueue,
        alarms: this.alarms,
        serviceName: settings.serviceName,
      });
    }

    this.backfill = createBackfill(this, {
      inputBucket: this.inputBucket,
      ...(createdInput ? { createdInputBucket: createdInput.bucket } : {}),
      sanitizerFunction: this.sanitizerFunction,
      ...(this.accessLogBucket ? { accessLogBucket: this.accessLogBucket } : {}),
      removalPolicy: settings.removalPolicy,
      inventory: props.backfillInventory ?? false,
    });
  }

  /** A new data bucket, unless an existing one was given. */
  private newBucketUnless(
    existing: s3.IBucket | undefined,
    id: string,
    settings: PipelineBucketSettings | undefined,
    removalPolicy: RemovalPolicy,
    logPrefix: string,
  ): CreatedBucket | undefined {
    if (existing !== undefined || this.accessLogBucket === undefined) return undefined;
    return createDataBucket(this, id, settings, this.encryptionKey, removalPolicy, this.accessLogBucket, logPrefix);
  }
}
