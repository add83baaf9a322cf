import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_OBJECT_BYTES, loadConfig } from '../src/config.js';
import { ConfigError } from '../src/errors.js';

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('loadConfig', () => {
  it('applies the defaults', () => {
    // Act
    const config = loadConfig({ OUTPUT_BUCKET: 'clean-images' });

    // Assess
    expect(config).toEqual({ outputBucket: 'clean-images', maxObjectBytes: DEFAULT_MAX_OBJECT_BYTES, keepColorProfile: true, keepOrientation: true });
    expect(DEFAULT_MAX_OBJECT_BYTES).toBe(50 * 1024 * 1024);
  });

  it('reads every variable', () => {
    // Act
    const config = loadConfig({
      INPUT_BUCKET: 'raw-images',
      OUTPUT_BUCKET: 'clean-images',
      MAX_OBJECT_BYTES: '1048576',
      KEEP_COLOR_PROFILE: 'false',
      KEEP_ORIENTATION: 'FALSE',
    });

    // Assess
    expect(config).toEqual({ inputBucket: 'raw-images', outputBucket: 'clean-images', maxObjectBytes: 1048576, keepColorProfile: false, keepOrientation: false });
  });

  it('refuses an output bucket that is the input bucket, saying why', () => {
    // Act
    const act = () => loadConfig({ INPUT_BUCKET: 'same-bucket', OUTPUT_BUCKET: 'same-bucket' });

    // Assess
    expect(act).toThrow(ConfigError);
    expect(act).toThrow(/OUTPUT_BUCKET must differ from INPUT_BUCKET \(both are "same-bucket"\)/);
    try {
      act();
    } catch (error) {
      expect((error as ConfigError).code).toBe('CONFIG_INVALID');
    }
  });

  it('refuses a missing output bucket', () => {
    // Act & Assess
    expect(problemsOf({})).toEqual([expect.stringMatching(/^OUTPUT_BUCKET is required/)]);
  });

  it.each(['50MB', '0', '-1', '1e9', '1.5', '2147483648', 'lots'])('refuses MAX_OBJECT_BYTES=%s with a message naming the variable and the value', (value) => {
    // Act
    const problems = problemsOf({ OUTPUT_BUCKET: 'clean-images', MAX_OBJECT_BYTES: value });

    // Assess
    expect(problems).toEqual([`MAX_OBJECT_BYTES must be a whole number of bytes between 1 and 1073741824, got "${value}"`]);
  });

  it.each(['yes', '1', 'on'])('refuses KEEP_ORIENTATION=%s (only true/false)', (value) => {
    // Act & Assess
    expect(problemsOf({ OUTPUT_BUCKET: 'clean-images', KEEP_ORIENTATION: value })).toEqual([`KEEP_ORIENTATION must be "true" or "false", got "${value}"`]);
  });

  it('refuses bucket names S3 would refuse', () => {
    // Act & Assess
    expect(problemsOf({ OUTPUT_BUCKET: 'Has_Upper' })).toEqual([expect.stringContaining('OUTPUT_BUCKET must be an S3 bucket name')]);
  });

  it('reports every problem at once', () => {
    // Act
    const problems = problemsOf({ INPUT_BUCKET: 'x', MAX_OBJECT_BYTES: 'big', KEEP_COLOR_PROFILE: 'maybe' });

    // Assess
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/OUTPUT_BUCKET is required/);
    expect(problems.join('\n')).toMatch(/INPUT_BUCKET must be an S3 bucket name/);
    expect(problems.join('\n')).toMatch(/MAX_OBJECT_BYTES/);
    expect(problems.join('\n')).toMatch(/KEEP_COLOR_PROFILE/);
  });
});
