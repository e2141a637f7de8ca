/**
 * Keeps the agent's change to a project manifest but not to the parts that decide how tests run: `package.json`
 * scripts and test-runner keys, `pyproject.toml` runner tables (`[tool.pytest.ini_options]`, pytest plugin entry
 * points...). Both take the base's version of those parts.
 */

/** The manifest to write on the clean copy and the runner parts of the agent's change that were dropped. */
export interface MergedManifest {
  /** Content to write; null: keep the base file as it is (the agent changed only runner parts). */
  content: string | null;
  /** The runner parts the agent changed (keys or tables), dropped. */
  dropped: string[];
}

/** `package.json` keys that decide how tests run or resolve modules. */
const packageRunnerKeys = [
  'scripts',
  'jest',
  'mocha',
  'ava',
  'c8',
  'nyc',
  'vitest',
  'tap',
  'babel',
  'imports',
];

/** Merges an agent's `package.json` onto the base's (base null: the agent added it). */
export function mergePackageJson(base: string | null, agent: string): MergedManifest {
  let agentJson: Record<string, unknown>;
  let baseJson: Record<string, unknown>;
  try {
    agentJson = asObject(JSON.parse(agent));
    baseJson = base === null ? {} : asObject(JSON.parse(base));
  } catch {
    return { content: null, dropped: ['the whole file (not a JSON object)'] };
  }
  const dropped = packageRunnerKeys.filter(
    (key) => JSON.stringify(agentJson[key]) !== JSON.stringify(baseJson[key]),
  );
  if (dropped.length === 0) return { content: agent, dropped };
  const merged: Record<string, unknown> = { ...agentJson };
  for (const key of dropped) {
    if (baseJson[key] === undefined) delete merged[key];
    else merged[key] = baseJson[key];
  }
  const unchanged = base !== null && stableJson(merged) === stableJson(baseJson);
  return { content: unchanged ? null : `${JSON.stringify(merged, null, 2)}\n`, dropped };
}

/** Merges an agent's `pyproject.toml` onto the base's: every runner table comes from the base. */
export function mergePyproject(base: string | null, agent: string): MergedManifest {
  const agentTables = splitTables(agent);
  const baseTables = splitTables(base ?? '');
  const runnerText = (tables: Table[]) =>
    tables
      .filter((table) => isRunnerTable(table))
      .map((table) => table.text.trim())
      .join('\n');
  const otherText = (tables: Table[]) =>
    tables
      .filter((table) => !isRunnerTable(table))
      .map((table) => table.text)
      .join('');
  if (runnerText(agentTables) === runnerText(baseTables)) return { content: agent, dropped: [] };
  const names = new Set(
    [...agentTables, ...baseTables].filter(isRunnerTable).map((table) => `[${table.name}]`),
  );
  const changed = [...names].filter((name) => {
    const pick = (tables: Table[]) =>
      tables
        .filter((table) => `[${table.name}]` === name)
        .map((table) => table.text.trim())
        .join('\n');
    return pick(agentTables) !== pick(baseTables);
  });
  if (base !== null && otherText(agentTables) === otherText(baseTables))
    return { content: null, dropped: changed };
  const kept = otherText(agentTables);
  if (base === null && kept.trim() === '') return { content: null, dropped: changed };
  const restored = runnerText(baseTables);
  const content = restored ? `${kept.replace(/\n*$/, '\n\n')}${restored}\n` : kept;
  return { content, dropped: changed };
}

interface Table {
  /** `''` for the lines before the first header. */
  name: string;
  text: string;
  /** Whether a `[tool]` table sets dotted pytest keys (`pytest.ini_options = ...`). */
  dottedRunnerKeys: boolean;
}

function splitTables(text: string): Table[] {
  const tables: Table[] = [{ name: '', text: '', dottedRunnerKeys: false }];
  for (const line of text.split(/(?<=\n)/)) {
    const header = /^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$/.exec(line.trimEnd());
    if (header) tables.push({ name: header[1]!.replace(/\s+/g, ''), text: line, dottedRunnerKeys: false });
    else {
      const table = tables.at(-1)!;
      table.text += line;
      if (/^\s*(tool\.)?["']?(pytest|tox|coverage)["']?\s*[.=]/.test(line)) table.dottedRunnerKeys = true;
    }
  }
  return tables;
}

function isRunnerTable(table: Table): boolean {
  const name = table.name.replaceAll('"', '').replaceAll("'", '');
  if (/^tool\.(pytest|tox|nox|coverage|hatch\.envs|unittest)(\.|$)/.test(name)) return true;
  if (/^(project\.entry-points|tool\.poetry\.plugins|project\.entry_points)\.pytest11$/.test(name))
    return true;
  return (table.name === 'tool' || table.name === '') && table.dottedRunnerKeys;
}

function asObject(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
  return value as Record<string, unknown>;
}

function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, item) =>
    item && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => a.localeCompare(b)))
      : item,
  );
}
