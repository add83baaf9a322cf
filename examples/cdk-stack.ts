// The pipeline inside your own CDK app: KMS on, your principals, an alarm e-mail.
// Compiled by the test suite (`tsc -p examples`) so it cannot rot; `npm run synth` runs the packaged app.
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { ImageSanitizationPipeline } from '@image-sanitizer/cdk';

const app = new App();
const stack = new Stack(app, 'PhotoUploads', { env: { account: '111122223333', region: 'eu-west-1' } });

const pipeline = new ImageSanitizationPipeline(stack, 'Sanitizer', {
  inputBucketProps: { bucketName: 'photo-uploads-raw' },
  outputBucketProps: { bucketName: 'photo-uploads-clean' },
  uploaderPrincipalArns: ['arn:aws:iam::111122223333:role/mobile-backend'],
  readerPrincipalArns: ['arn:aws:iam::111122223333:role/cdn-origin'],
  enableKms: true,
  keepColorProfile: true,
  keepOrientation: true,
  maxObjectBytes: 25 * 1024 * 1024,
  memorySize: 1024,
  timeout: Duration.seconds(30),
  alarmEmail: 'oncall@example.org',
  logRetention: logs.RetentionDays.THREE_MONTHS,
  removalPolicy: RemovalPolicy.RETAIN,
});

// Everything it creates is exposed, to wire into the rest of your app.
export const { inputBucket, outputBucket, uploaderRole, readerRole, deadLetterQueue } = pipeline;
