import { API_KEY_VARIABLES } from '../model/create-model-client.ts';
import { redactSecrets } from '../model/redact-secrets.ts';
import type { ModelConfig } from './config.ts';

/**
 * Redacts the API keys a run may hold from a text: the well-known API key variables and each model's own
 * `apiKeyEnv`, as set in `env`.
 */
export function secretRedactorOf(
  models: readonly Pick<ModelConfig, 'apiKeyEnv'>[],
  env: NodeJS.ProcessEnv,
): (text: string) => string {
  const secrets = [
    ...Object.values(API_KEY_VARIABLES).map((variable) => env[variable]),
    ...models.flatMap((model) => (model.apiKeyEnv ? [env[model.apiKeyEnv]] : [])),
  ];
  return (text) => redactSecrets(text, secrets);
}
