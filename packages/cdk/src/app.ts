import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { environmentProps, stackNameFor, type AppContext } from './environments.js';
import { ImageSanitizerStack } from './stack.js';

/**
 * Adds the stack of the environment chosen by the context (`-c env=prod`; `dev` by default) to
 * `app`, environment-agnostic (no account or region lookups), and runs cdk-nag's AwsSolutions
 * checks on it at synthesis: an unacknowledged finding fails the synth.
 */
export function addEnvironmentStack(app: App): ImageSanitizerStack {
  const context: AppContext = {
    env: app.node.tryGetContext('env'),
    alarmEmail: app.node.tryGetContext('alarmEmail'),
    uploaderPrincipals: app.node.tryGetContext('uploaderPrincipals'),
    readerPrincipals: app.node.tryGetContext('readerPrincipals'),
    bucketPrefix: app.node.tryGetContext('bucketPrefix'),
  };
  const { environment, ...pipeline } = environmentProps(context);
  const stack = new ImageSanitizerStack(app, stackNameFor(environment), {
    description: `Image sanitizer pipeline (${environment})`,
    tags: { project: 'image-sanitizer', environment },
    pipeline,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
}
