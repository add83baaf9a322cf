// The Lambda bundle's @aws-sdk/credential-provider-{sso,ini,process,web-identity} (scripts/bundle.mjs).
// The SDK's default chain tries the environment first, and Lambda puts the execution role's
// credentials there (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), so the chain
// stops before these. Each one here passes to the next link, as the real one does when it finds
// nothing (no profile, no SSO session, no web identity token: none exists in the function).
import { CredentialsProviderError } from '@smithy/core/config';

function notBundled(name) {
  return (init = {}) =>
    async () => {
      throw new CredentialsProviderError(`${name} is not in the Lambda bundle: the function takes its role's credentials from the environment`, {
        logger: init.logger,
        tryNextLink: true,
      });
    };
}

export const fromSSO = notBundled('fromSSO');
export const fromIni = notBundled('fromIni');
export const fromProcess = notBundled('fromProcess');
export const fromTokenFile = notBundled('fromTokenFile');
