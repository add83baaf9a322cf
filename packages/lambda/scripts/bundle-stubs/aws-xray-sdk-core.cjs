'use strict';
// The Lambda bundle's aws-xray-sdk-core (scripts/bundle.mjs): the package's own entry
// (dist/lib/aws-xray.js) loads every patcher and plugin it has; this one loads what Powertools
// Tracer and this function call, from the same package, and sets the SDK up the same way.
const capture = require('aws-xray-sdk-core/dist/lib/capture');
const contextUtils = require('aws-xray-sdk-core/dist/lib/context_utils');
const logger = require('aws-xray-sdk-core/dist/lib/logger');
const segmentUtils = require('aws-xray-sdk-core/dist/lib/segments/segment_utils');
const lambdaEnv = require('aws-xray-sdk-core/dist/lib/env/aws_lambda');
const { version, name } = require('aws-xray-sdk-core/package.json');

/** A patcher this bundle leaves out: calling it is a bug in the bundle's configuration, said loudly. */
function notBundled(what) {
  return () => {
    throw new Error(`aws-xray-sdk-core ${what} is not in the Lambda bundle (packages/lambda/scripts/bundle.mjs)`);
  };
}

module.exports = {
  // What Powertools Tracer's ProviderService and Tracer take from the SDK.
  captureAWSv3Client: require('aws-xray-sdk-core/dist/lib/patchers/aws3_p').captureAWSClient,
  captureAsyncFunc: capture.captureAsyncFunc,
  captureFunc: capture.captureFunc,
  getNamespace: contextUtils.getNamespace,
  getSegment: contextUtils.getSegment,
  setSegment: contextUtils.setSegment,
  setContextMissingStrategy: contextUtils.setContextMissingStrategy,
  setDaemonAddress: require('aws-xray-sdk-core/dist/lib/daemon_config').setDaemonAddress,
  setLogger: logger.setLogger,
  getLogger: logger.getLogger,
  Segment: require('aws-xray-sdk-core/dist/lib/segments/segment'),
  Subsegment: require('aws-xray-sdk-core/dist/lib/segments/attributes/subsegment'),
  // What src/from-env.ts takes.
  setAWSWhitelist: require('aws-xray-sdk-core/dist/lib/segments/attributes/aws').setAWSWhitelist,
  // Offered by Powertools, called only for the AWS SDK v2 and with captureHTTPsRequests, which the function does not use.
  captureAWS: notBundled('captureAWS (AWS SDK v2)'),
  captureAWSClient: notBundled('captureAWSClient (AWS SDK v2)'),
  captureHTTPsGlobal: notBundled('captureHTTPsGlobal (captureHTTPsRequests is off)'),
};

// As the package's entry does when it is loaded: name the SDK and the runtime in every segment,
// and in Lambda (LAMBDA_TASK_ROOT set) switch to Lambda mode (facade segment, local sampling).
segmentUtils.setSDKData({ sdk: 'X-Ray for Node.js', sdk_version: version, package: name });
segmentUtils.setServiceData({
  runtime: process.release?.name ?? 'unknown',
  runtime_version: process.version,
  version: process.env.npm_package_version || 'unknown',
  name: process.env.npm_package_name || 'unknown',
});
if (process.env.LAMBDA_TASK_ROOT) lambdaEnv.init();
