import { METRIC } from '@image-sanitizer/lambda';
import { describe, expect, it } from 'vitest';
import { METRICS_NAMESPACE, REJECTED_METRIC_NAME } from '../src/index.js';

// The rejected-objects alarm only fires if it watches the metric the function really emits.
describe('metric contract with @image-sanitizer/lambda', () => {
  it('alarms on the name the function emits for rejected objects', () => {
    expect(REJECTED_METRIC_NAME).toBe(METRIC.rejected);
  });

  it('uses the namespace the function defaults to', () => {
    expect(METRICS_NAMESPACE).toBe('ImageSanitizer');
  });
});
