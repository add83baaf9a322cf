// The settings contract (src/contract.ts) and what the docs say about it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENV, isValidBucketName, METRIC, METRICS_NAMESPACE } from '../src/contract.js';

const REPO = join(import.meta.dirname, '..', '..', '..');
const read = (path: string): string => readFileSync(join(REPO, path), 'utf8');
const READMES = ['README.md', 'packages/lambda/README.md', 'packages/cdk/README.md'];

describe('@image-sanitizer/lambda/contract', () => {
  it('imports nothing, so a deployer reads it without the SDK', () => {
    expect(read('packages/lambda/src/contract.ts')).not.toMatch(/^\s*(import|export .* from)\b/m);
  });

  it('accepts bucket names S3 accepts and refuses the rest', () => {
    // Prepare
    const valid = ['abc', 'genomics-platform-input-dev', 'a.b-c', 'x'.repeat(63)];
    const invalid = ['ab', 'x'.repeat(64), 'Upper', 'under_score', '-start', 'end-', 'two..dots', '192.168.0.1', 'sp ace'];

    // Assess
    expect(valid.filter((name) => !isValidBucketName(name))).toEqual([]);
    expect(invalid.filter((name) => isValidBucketName(name))).toEqual([]);
  });

  it.each(READMES)('%s names every metric of the contract, and no other spelling of them', (readme) => {
    const text = read(readme);
    for (const name of Object.values(METRIC)) expect(text, `${readme} lacks ${name}`).toContain(`\`${name}\``);
    expect(text).toContain(METRICS_NAMESPACE);
    // The old lower-case keys, which are not what CloudWatch shows.
    expect(text).not.toMatch(/metric name `(rejected|sanitized|failed)`/);
  });

  it.each(READMES)('%s states the runtime the construct deploys (nodejs24.x), no other', (readme) => {
    expect(read(readme)).not.toMatch(/nodejs(1\d|2[0-3])\.x/);
  });

  it('the lambda README lists every variable of the contract', () => {
    const text = read('packages/lambda/README.md');
    for (const name of Object.values(ENV)) expect(text).toContain(`\`${name}\``);
  });
});
