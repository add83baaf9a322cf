import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { PipelineAlarms } from './alarms.js';
import { METRIC, METRICS_NAMESPACE } from '@image-sanitizer/lambda/contract';

/** The object counts the function emits (the contract's names), by the label the dashboard shows. */
const OBJECT_METRICS = {
  sanitized: METRIC.sanitized,
  rejected: METRIC.rejected,
  failed: METRIC.failed,
  ignored: METRIC.ignored,
  withdrawn: METRIC.withdrawn,
  deleted: METRIC.deleted,
} as const;

export interface PipelineDashboardSources {
  readonly fn: lambda.IFunction;
  readonly queue: sqs.IQueue;
  readonly deadLetterQueue: sqs.IQueue;
  readonly alarms: PipelineAlarms;
  readonly serviceName: string;
}

/**
 * One CloudWatch dashboard for the pipeline: what happened to objects, bytes, how long it took,
 * the backlog, the function's health and every alarm. Read top to bottom, it answers the
 * runbook's first question: is anything waiting, failing or being refused?
 */
export function createDashboard(scope: Construct, id: string, sources: PipelineDashboardSources): cloudwatch.Dashboard {
  const { fn, queue, deadLetterQueue, alarms, serviceName } = sources;
  const period = Duration.minutes(5);
  const emitted = (metricName: string, statistic: string, label: string): cloudwatch.Metric =>
    new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName, dimensionsMap: { service: serviceName }, statistic, period, label });

  const dashboard = new cloudwatch.Dashboard(scope, id, { defaultInterval: Duration.hours(3) });
  dashboard.addWidgets(
    new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: Object.values(alarms), width: 24, height: 3 }),
  );
  dashboard.addWidgets(
    new cloudwatch.GraphWidget({
      title: 'Objects (per 5 minutes)',
      left: Object.entries(OBJECT_METRICS).map(([label, name]) => emitted(name, cloudwatch.Stats.SUM, label)),
      width: 12,
    }),
    new cloudwatch.GraphWidget({
      title: 'Bytes in and out (per 5 minutes)',
      left: [emitted(METRIC.bytesIn, cloudwatch.Stats.SUM, 'in'), emitted(METRIC.bytesOut, cloudwatch.Stats.SUM, 'out')],
      width: 12,
    }),
  );
  dashboard.addWidgets(
    new cloudwatch.GraphWidget({
      title: 'Time per object (ms)',
      left: [cloudwatch.Stats.p(50), cloudwatch.Stats.p(90), cloudwatch.Stats.p(99), cloudwatch.Stats.MAXIMUM].map((statistic) =>
        emitted(METRIC.duration, statistic, statistic),
      ),
      width: 12,
    }),
    new cloudwatch.GraphWidget({
      title: 'Function duration (ms)',
      left: [cloudwatch.Stats.p(50), cloudwatch.Stats.p(99), cloudwatch.Stats.MAXIMUM].map((statistic) =>
        fn.metricDuration({ statistic, period, label: statistic }),
      ),
      width: 12,
    }),
  );
  dashboard.addWidgets(
    new cloudwatch.GraphWidget({
      title: 'Queue: waiting uploads',
      left: [
        queue.metricApproximateNumberOfMessagesVisible({ statistic: cloudwatch.Stats.MAXIMUM, period, label: 'visible' }),
        queue.metricApproximateNumberOfMessagesNotVisible({ statistic: cloudwatch.Stats.MAXIMUM, period, label: 'in flight' }),
      ],
      right: [queue.metricApproximateAgeOfOldestMessage({ statistic: cloudwatch.Stats.MAXIMUM, period, label: 'age of oldest (s)' })],
      width: 12,
    }),
    new cloudwatch.GraphWidget({
      title: 'Dead-letter queue',
      left: [deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: cloudwatch.Stats.MAXIMUM, period, label: 'messages' })],
      width: 12,
    }),
  );
  dashboard.addWidgets(
    new cloudwatch.GraphWidget({
      title: 'Function: errors and throttles',
      left: [
        fn.metricErrors({ statistic: cloudwatch.Stats.SUM, period, label: 'errors' }),
        fn.metricThrottles({ statistic: cloudwatch.Stats.SUM, period, label: 'throttles' }),
        fn.metricInvocations({ statistic: cloudwatch.Stats.SUM, period, label: 'invocations' }),
      ],
      width: 12,
    }),
    new cloudwatch.GraphWidget({
      title: 'Function: concurrency',
      left: [fn.metric('ConcurrentExecutions', { statistic: cloudwatch.Stats.MAXIMUM, period, label: 'concurrent executions' })],
      width: 12,
    }),
  );
  return dashboard;
}
