/**
 * Command and environment templates of external agents. Placeholders are `{name}`:
 *
 * - `{instruction_file}`: a file holding the turn's instruction (read-only inside the sandbox);
 * - `{instruction}`: the instruction text itself;
 * - `{model}`: the model name the agent should ask the proxy for;
 * - `{workspace}`: the workspace directory (also the command's working directory);
 * - `{base_url}` (`http://127.0.0.1:PORT/v1`), `{api_root}` (without `/v1`) and `{port}`: the proxy as seen from
 *   inside the sandbox, known only once the in-sandbox bridge listens, so filled in at run time.
 *
 * In commands every value is inserted shell-quoted (run-time ones as `"$SHAKEDOWN_BASE_URL"`-style expansions);
 * in environment values they are inserted as plain text. `${NAME}` shell expansions are left alone.
 */

/** Values known before the agent starts. */
export interface TemplateValues {
  instructionFile: string;
  instruction: string;
  model: string;
  workspace: string;
}

/** Placeholders filled in by the bridge inside the sandbox, and the variable each is exported as. */
const RUNTIME_PLACEHOLDERS: Record<string, string> = {
  base_url: 'SHAKEDOWN_BASE_URL',
  api_root: 'SHAKEDOWN_API_ROOT',
  port: 'SHAKEDOWN_PROXY_PORT',
};

/** Every placeholder a template may use. */
export const TEMPLATE_PLACEHOLDERS = [
  'instruction_file',
  'instruction',
  'model',
  'workspace',
  ...Object.keys(RUNTIME_PLACEHOLDERS),
] as const;

const PLACEHOLDER = /(?<!\$)\{([a-z_]+)\}/g;

/** Quotes text for bash so it is one literal word. */
export function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

function staticValue(name: string, values: TemplateValues): string | undefined {
  switch (name) {
    case 'instruction_file':
      return values.instructionFile;
    case 'instruction':
      return values.instruction;
    case 'model':
      return values.model;
    case 'workspace':
      return values.workspace;
    default:
      return undefined;
  }
}

function unknownPlaceholder(name: string, where: string): Error {
  return new Error(
    `unknown placeholder {${name}} in the ${where}; known: ${TEMPLATE_PLACEHOLDERS.map((known) => `{${known}}`).join(', ')}`,
  );
}

/** Fills a command template: static values shell-quoted, run-time ones as quoted variable expansions. */
export function renderCommandTemplate(template: string, values: TemplateValues): string {
  return template.replace(PLACEHOLDER, (_, name: string) => {
    const value = staticValue(name, values);
    if (value !== undefined) return shellQuote(value);
    const variable = RUNTIME_PLACEHOLDERS[name];
    if (variable) return `"\${${variable}}"`;
    throw unknownPlaceholder(name, 'agent command');
  });
}

/** Fills the static placeholders of environment values; run-time ones stay for the bridge to fill. */
export function renderEnvironmentTemplate(
  env: Record<string, string>,
  values: TemplateValues,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).map(([name, template]) => [
      name,
      template.replace(PLACEHOLDER, (match, placeholder: string) => {
        const value = staticValue(placeholder, values);
        if (value !== undefined) return value;
        if (placeholder in RUNTIME_PLACEHOLDERS) return match;
        throw unknownPlaceholder(placeholder, `environment variable ${name}`);
      }),
    ]),
  );
}
