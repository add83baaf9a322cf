import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { actionsOn, allIdentityStatements, asArray, logicalId, roleStatements, synthesizePipeline, type Synthesized } from './helpers.js';

// KMS on: one customer-managed key for the buckets, the queues and the alarm topic.
describe('ImageSanitizationPipeline with enableKms', () => {
  let synth: Synthesized;
  let key: string;

  beforeAll(() => {
    synth = synthesizePipeline(() => ({ enableKms: true }));
    key = logicalId(synth.pipeline.encryptionKey!);
  }, 120_000);

  it('creates exactly one key, with rotation, shared with the alarm topic', () => {
    synth.template.resourceCountIs('AWS::KMS::Key', 1);
    synth.template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    expect(synth.pipeline.alarmTopicKey).toBe(synth.pipeline.encryptionKey);
    synth.template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [key, 'Arn'] } });
  });

  it.each(['inputBucket', 'outputBucket'] as const)('%s uses SSE-KMS with the key and bucket keys', (bucket) => {
    expect(synth.template.toJSON().Resources[logicalId(synth.pipeline[bucket])].Properties.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [
        { BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [key, 'Arn'] } } },
      ],
    });
  });

  it('keeps the access-log bucket on SSE-S3, the only encryption S3 log delivery supports', () => {
    expect(synth.template.toJSON().Resources[logicalId(synth.pipeline.accessLogBucket!)].Properties.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
  });

  it.each(['queue', 'deadLetterQueue'] as const)('%s is encrypted with the key', (queue) => {
    const props = synth.template.toJSON().Resources[logicalId(synth.pipeline[queue])].Properties;
    expect(props.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [key, 'Arn'] });
    expect(props.SqsManagedSseEnabled).toBeUndefined();
  });

  it('lets S3 of this account use the key to send events to the encrypted queue', () => {
    synth.template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 's3.amazonaws.com' },
            Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
            Condition: Match.objectLike({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } }),
          }),
        ]),
      },
    });
  });

  it('grants the function decrypt and data-key generation on the key only', () => {
    expect(actionsOn(roleStatements(synth.template, logicalId(synth.pipeline.functionRole)), key)).toEqual([
      'kms:Decrypt',
      'kms:Decrypt',
      'kms:Decrypt',
      'kms:GenerateDataKey',
    ]);
  });

  it('grants User A encrypt and decrypt for uploads, User B decrypt only', () => {
    expect(actionsOn(roleStatements(synth.template, logicalId(synth.pipeline.uploaderRole)), key)).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    expect(actionsOn(roleStatements(synth.template, logicalId(synth.pipeline.readerRole)), key)).toEqual(['kms:Decrypt']);
  });

  it('never grants a KMS wildcard action or a key other than the pipeline key', () => {
    const kmsStatements = allIdentityStatements(synth.template).filter((s) => asArray(s.Action).some((a) => a.startsWith('kms:')));
    expect(kmsStatements.length).toBeGreaterThan(0);
    for (const statement of kmsStatements) {
      expect(asArray(statement.Action).filter((a) => a.includes('*'))).toEqual([]);
      expect(asArray(statement.Resource)).toEqual([{ 'Fn::GetAtt': [key, 'Arn'] }]);
    }
  });

  it('passes cdk-nag AwsSolutions checks with zero unacknowledged findings', () => {
    expect(synth.nagFindings).toEqual([]);
  });
});
