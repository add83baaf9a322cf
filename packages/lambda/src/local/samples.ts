import { GetObjectTaggingCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { detectFormat } from '@image-sanitizer/core';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { OUTCOME_TAG, OUTPUT_METADATA, REASON_TAG } from '../process-object.js';
import { isNotFound, unquote } from '../s3.js';
import type { SampleRow } from './table.js';

/** The fixture folders uploaded as samples. */
export const SAMPLE_FOLDERS = ['jpeg', 'png', 'webp', 'gif', 'tiff', 'heic', 'broken'] as const;

export interface Sample {
  /** Object key: the path below the fixtures folder, `/`-separated. */
  readonly key: string;
  readonly bytes: Buffer;
}

/** Every file under the SAMPLE_FOLDERS of fixtures/, in a stable order. */
export function findSamples(fixturesDir: string): Sample[] {
  const files: string[] = [];
  for (const folder of SAMPLE_FOLDERS) collectFiles(join(fixturesDir, folder), files);
  return files
    .map((file) => ({ key: relative(fixturesDir, file).split(sep).join('/'), bytes: readFileSync(file) }))
    .sort((a, b) => a.key.localeCompare(b.key));
}

function collectFiles(dir: string, into: string[]): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) collectFiles(path, into);
    else if (!name.startsWith('.')) into.push(path);
  }
}

export interface Buckets {
  readonly inputBucket: string;
  readonly outputBucket: string;
}

/**
 * Upload samples to the input bucket, a few at a time. Each carries a piece of
 * user metadata, to show that the output never inherits it.
 */
export async function uploadSamples(s3: S3Client, bucket: string, samples: readonly Sample[], parallel = 8): Promise<void> {
  for (let at = 0; at < samples.length; at += parallel) {
    await Promise.all(
      samples.slice(at, at + parallel).map((sample) =>
        s3.send(new PutObjectCommand({ Bucket: bucket, Key: sample.key, Body: sample.bytes, Metadata: { 'uploaded-by': 'local-pipeline' } })),
      ),
    );
  }
}

/**
 * Poll S3 until every key has settled — sanitized into the output bucket
 * (from the input's current ETag) or tagged rejected in the input bucket —
 * or until the deadline; what has not settled by then is `pending`.
 */
export async function waitForOutcomes(s3: S3Client, buckets: Buckets, samples: readonly Sample[], timeoutMs: number): Promise<SampleRow[]> {
  const deadline = Date.now() + timeoutMs;
  const settled = new Map<string, SampleRow>();
  for (;;) {
    for (const sample of samples) {
      if (settled.has(sample.key)) continue;
      const row = await readOutcome(s3, buckets, sample);
      if (row.outcome !== 'pending') settled.set(sample.key, row);
    }
    if (settled.size === samples.length || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return Promise.all(samples.map(async (sample) => settled.get(sample.key) ?? readOutcome(s3, buckets, sample)));
}

/** What S3 says happened to one sample. */
export async function readOutcome(s3: S3Client, buckets: Buckets, sample: Sample): Promise<SampleRow> {
  const base = { key: sample.key, format: detectFormat(sample.bytes) ?? '?', sizeIn: sample.bytes.length, removed: [], kept: [] };
  const input = await s3.send(new HeadObjectCommand({ Bucket: buckets.inputBucket, Key: sample.key }));
  const inputETag = input.ETag ? unquote(input.ETag) : undefined;
  try {
    const output = await s3.send(new HeadObjectCommand({ Bucket: buckets.outputBucket, Key: sample.key }));
    const metadata = output.Metadata ?? {};
    if (inputETag !== undefined && metadata[OUTPUT_METADATA.fromETag] === inputETag) {
      return {
        ...base,
        sizeOut: output.ContentLength ?? 0,
        removed: kindList(metadata[OUTPUT_METADATA.removed]),
        kept: kindList(metadata[OUTPUT_METADATA.kept]),
        outcome: 'sanitized',
      };
    }
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  const { TagSet = [] } = await s3.send(new GetObjectTaggingCommand({ Bucket: buckets.inputBucket, Key: sample.key }));
  const tag = (name: string) => TagSet.find((t) => t.Key === name)?.Value;
  if (tag(OUTCOME_TAG) === 'rejected') return { ...base, outcome: 'rejected', reason: tag(REASON_TAG) ?? '?' };
  return { ...base, outcome: 'pending' };
}

function kindList(value: string | undefined): string[] {
  return value === undefined || value === 'none' ? [] : value.split(',');
}
