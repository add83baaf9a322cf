import { METRIC } from './contract.js';
import type { ObjectOutcome } from './outcome.js';

export { METRIC } from './contract.js';

/** The units the pipeline reports in (a subset of CloudWatch's). */
export type PipelineMetricUnit = 'Count' | 'Bytes' | 'Milliseconds';

/** What the handler needs from a metrics sink. Powertools `Metrics` is one. */
export interface PipelineMetrics {
  addMetric(name: string, unit: PipelineMetricUnit, value: number): unknown;
  hasStoredMetrics(): boolean;
  publishStoredMetrics(): void;
}

/** Record one object's outcome (`failed` when it threw) and how long it took. */
export function recordObject(metrics: PipelineMetrics, outcome: ObjectOutcome | 'failed', durationMs: number): void {
  metrics.addMetric(METRIC.duration, 'Milliseconds', durationMs);
  if (outcome === 'failed') {
    metrics.addMetric(METRIC.failed, 'Count', 1);
    return;
  }
  metrics.addMetric(METRIC[outcome.outcome], 'Count', 1);
  if (outcome.outcome === 'rejected' && outcome.withdrawn) metrics.addMetric(METRIC.withdrawn, 'Count', 1);
  if (outcome.outcome === 'sanitized') {
    metrics.addMetric(METRIC.bytesIn, 'Bytes', outcome.bytesIn);
    metrics.addMetric(METRIC.bytesOut, 'Bytes', outcome.bytesOut);
  }
}

/**
 * A sink that keeps running totals in memory, for the local pipeline and
 * tests, where EMF lines on stdout would only be noise.
 */
export class MetricTotals implements PipelineMetrics {
  readonly totals = new Map<string, number>();
  private stored = 0;

  addMetric(name: string, _unit: PipelineMetricUnit, value: number): void {
    this.totals.set(name, (this.totals.get(name) ?? 0) + value);
    this.stored++;
  }

  hasStoredMetrics(): boolean {
    return this.stored > 0;
  }

  publishStoredMetrics(): void {
    this.stored = 0;
  }

  get(name: string): number {
    return this.totals.get(name) ?? 0;
  }
}
