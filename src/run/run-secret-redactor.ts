import { API_KEY_VARIABLES } from '../providers/create-model-client.ts';
import { withoutUrlCredentials } from '../providers/model-id.ts';
import { redactSecrets } from '../shared/redact-secrets.ts';
import type { ModelConfig } from './config.ts';

/**
 * Redacts the secrets a run may hold from a text: the well-known API key variables and each model's own
 * `apiKeyEnv`, as set in `env`, and the user and password written in a model's server URL.
 */
export function secretRedactorOf(
  models: readonly Pick<ModelConfig, 'apiKeyEnv' | 'id'>[],
  env: NodeJS.ProcessEnv,
): (text: string) => string {
  const secrets = [
    ...Object.values(API_KEY_VARIABLES).map((variable) => env[variable]),
    ...models.flatMap((model) => (model.apiKeyEnv ? [env[model.apiKeyEnv]] : [])),
    ...models.flatMap((model) => {
      const auth = withoutUrlCredentials(model.id).basicAuth;
      return auth ? [auth.password, auth.username] : [];
    }),
  ];
  return (text) => redactSecrets(text, secrets);
}
