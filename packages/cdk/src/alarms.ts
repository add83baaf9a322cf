import { Aws, Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { METRICS_NAMESPACE, OLDEST_MESSAGE_ALARM_AGE, REJECTED_METRIC_NAME } from './defaults.js';

/** The pipeline's alarms, each notifying the alarm topic. */
export interface PipelineAlarms {
  /** At least one message reached the dead-letter queue. */
  readonly deadLetterQueueNotEmpty: cloudwatch.Alarm;
  /** The function failed (threw, timed out or ran out of memory). */
  readonly functionErrors: cloudwatch.Alarm;
  /** The function was throttled. */
  readonly functionThrottles: cloudwatch.Alarm;
  /** The oldest upload waiting in the queue is older than {@link OLDEST_MESSAGE_ALARM_AGE}. */
  readonly oldestMessageAge: cloudwatch.Alarm;
  /** The function refused at least one object (its EMF metric `ImageSanitizer/ObjectsRejected`, `METRIC.rejected` of the contract). */
  readonly rejectedObjects: cloudwatch.Alarm;
}

/**
 * The alarm topic: encrypted with `key`, TLS only. CloudWatch may use the key to publish
 * (an AWS-managed SNS key would not let it), and `email`, when given, is subscribed.
 */
export function createAlarmTopic(scope: Construct, key: kms.IKey, email: string | undefined): sns.Topic {
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarmsToPublishToTheEncryptedTopic',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      // Only alarms of this account and region, never CloudWatch acting for another account.
      conditions: {
        StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
        ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:*` },
      },
    }),
  );
  const topic = new sns.Topic(scope, 'AlarmTopic', {
    displayName: 'Image sanitizer alarms',
    masterKey: key,
    enforceSSL: true,
  });
  if (email !== undefined) topic.addSubscription(new subscriptions.EmailSubscription(email));
  return topic;
}

/** The metric the function emits for each rejected object (namespace ImageSanitizer, dimension service). */
export function rejectedObjectsMetric(serviceName: string): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName: REJECTED_METRIC_NAME,
    dimensionsMap: { service: serviceName },
    statistic: cloudwatch.Stats.SUM,
    period: Duration.minutes(5),
  });
}

/** Alarms on everything that needs a person: failures, throttling, backlog and rejected objects. */
export function createAlarms(
  scope: Construct,
  topic: sns.ITopic,
  fn: lambda.IFunction,
  queue: sqs.IQueue,
  deadLetterQueue: sqs.IQueue,
  serviceName: string,
): PipelineAlarms {
  const atLeastOnce = (id: string, metric: cloudwatch.IMetric, description: string): cloudwatch.Alarm =>
    alarm(scope, topic, id, metric, 1, description);
  return {
    deadLetterQueueNotEmpty: atLeastOnce(
      'DeadLetterQueueNotEmptyAlarm',
      deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: cloudwatch.Stats.MAXIMUM, period: Duration.minutes(1) }),
      'Uploads failed every attempt and wait in the dead-letter queue: inspect, fix, then redrive them.',
    ),
    functionErrors: atLeastOnce(
      'FunctionErrorsAlarm',
      fn.metricErrors({ statistic: cloudwatch.Stats.SUM, period: Duration.minutes(5) }),
      'The sanitizer function failed (error, timeout or out of memory); SQS retries the upload.',
    ),
    functionThrottles: atLeastOnce(
      'FunctionThrottlesAlarm',
      fn.metricThrottles({ statistic: cloudwatch.Stats.SUM, period: Duration.minutes(5) }),
      'The sanitizer function was throttled: raise the account concurrency or lower maxConcurrency.',
    ),
    oldestMessageAge: alarm(
      scope,
      topic,
      'OldestMessageAgeAlarm',
      queue.metricApproximateAgeOfOldestMessage({ statistic: cloudwatch.Stats.MAXIMUM, period: Duration.minutes(1) }),
      OLDEST_MESSAGE_ALARM_AGE.toSeconds(),
      `The oldest upload has waited more than ${OLDEST_MESSAGE_ALARM_AGE.toHumanString()} in the queue: the pipeline is falling behind or stuck.`,
    ),
    rejectedObjects: atLeastOnce(
      'RejectedObjectsAlarm',
      rejectedObjectsMetric(serviceName),
      'The sanitizer refused at least one object (unsupported, malformed or too large): see the function logs.',
    ),
  };
}

function alarm(
  scope: Construct,
  topic: sns.ITopic,
  id: string,
  metric: cloudwatch.IMetric,
  threshold: number,
  description: string,
): cloudwatch.Alarm {
  const created = new cloudwatch.Alarm(scope, id, {
    metric,
    threshold,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    alarmDescription: description,
  });
  created.addAlarmAction(new actions.SnsAction(topic));
  return created;
}
