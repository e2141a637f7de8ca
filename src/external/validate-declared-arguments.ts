/**
 * Checks tool-call arguments against the JSON Schema the agent itself declared for the tool. A deliberately small
 * subset of JSON Schema, the part agents use for tool parameters: `type` (one or a list), `required`, `properties`,
 * `additionalProperties: false`, `enum`, `const`, `items`, and `anyOf`/`oneOf` (valid when any branch is). Other
 * keywords (formats, lengths, patterns, `$ref`) are not checked, so a call is never failed on a rule we cannot
 * judge.
 */

type JsonObject = Record<string, unknown>;

/** Deepest nesting checked; anything below is accepted. */
const MAX_DEPTH = 16;

function isRecord(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function matchesType(value: unknown, type: string): boolean {
  const actual = typeOf(value);
  if (type === 'number') return actual === 'number' || actual === 'integer';
  return actual === type;
}

function describePath(path: string): string {
  return path === '' ? 'the arguments' : `argument ${path}`;
}

/** Problems of `value` against `schema`, each as a readable sentence; empty when valid. */
function check(value: unknown, schema: unknown, path: string, depth: number): string[] {
  if (!isRecord(schema) || depth > MAX_DEPTH) return [];
  const branches = Array.isArray(schema.anyOf)
    ? schema.anyOf
    : Array.isArray(schema.oneOf)
      ? schema.oneOf
      : null;
  if (branches && branches.length > 0) {
    const failures = branches.map((branch) => check(value, branch, path, depth + 1));
    if (failures.every((problems) => problems.length > 0)) {
      return [`${describePath(path)} matches none of the allowed shapes (${failures[0]!.join('; ')})`];
    }
  }
  const types =
    typeof schema.type === 'string' ? [schema.type] : Array.isArray(schema.type) ? schema.type : [];
  const allowed = types.filter((type): type is string => typeof type === 'string');
  if (allowed.length > 0 && !allowed.some((type) => matchesType(value, type))) {
    return [`${describePath(path)} must be ${allowed.join(' or ')}, got ${typeOf(value)}`];
  }
  if (
    Array.isArray(schema.enum) &&
    !schema.enum.some((option) => JSON.stringify(option) === JSON.stringify(value))
  ) {
    return [
      `${describePath(path)} must be one of ${schema.enum.map((option) => JSON.stringify(option)).join(', ')}`,
    ];
  }
  if ('const' in schema && JSON.stringify(schema.const) !== JSON.stringify(value)) {
    return [`${describePath(path)} must be ${JSON.stringify(schema.const)}`];
  }
  const problems: string[] = [];
  if (isRecord(value)) {
    const properties = isRecord(schema.properties) ? schema.properties : {};
    const required = Array.isArray(schema.required) ? schema.required : [];
    for (const name of required) {
      if (typeof name === 'string' && !(name in value)) {
        problems.push(`missing required argument ${path === '' ? name : `${path}.${name}`}`);
      }
    }
    for (const [name, item] of Object.entries(value)) {
      const childPath = path === '' ? name : `${path}.${name}`;
      if (name in properties) problems.push(...check(item, properties[name], childPath, depth + 1));
      else if (schema.additionalProperties === false) problems.push(`unexpected argument ${childPath}`);
      else if (isRecord(schema.additionalProperties)) {
        problems.push(...check(item, schema.additionalProperties, childPath, depth + 1));
      }
    }
  }
  if (Array.isArray(value) && isRecord(schema.items)) {
    value.forEach((item, index) => {
      problems.push(...check(item, schema.items, `${path}[${index}]`, depth + 1));
    });
  }
  return problems;
}

/**
 * Validates parsed tool-call arguments against a declared JSON Schema (the tool's `parameters`). Returns every
 * problem found (missing required, unexpected with `additionalProperties: false`, wrong type, not in `enum`);
 * an empty list means valid.
 */
export function validateDeclaredArguments(
  argumentsValue: Record<string, unknown>,
  schema: unknown,
): string[] {
  return check(argumentsValue, schema, '', 0);
}
