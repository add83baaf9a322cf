// A plain CDK app (CommonJS, as `cdk init app --language javascript` writes it) using the construct
// with its defaults: the function's code is the bundle the package carries.
const { App, Stack } = require('aws-cdk-lib');
const { ImageSanitizationPipeline } = require('@image-sanitizer/cdk');

const app = new App({ outdir: process.argv[2] });
const stack = new Stack(app, 'ConsumerStack');
new ImageSanitizationPipeline(stack, 'Sanitizer', { alarmEmail: 'oncall@example.org' });
app.synth();
