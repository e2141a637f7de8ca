import type { TestResult, TestStatus } from './test-result.ts';
import { truncateMessage } from './truncate-message.ts';

const testPointPattern = /^( *)(not ok|ok)\b(?:\s+(\d+))?(?:\s*-)?\s*(.*)$/;
const directivePattern = /^(.*?)\s*(?<!\\)#\s*(skip|todo)\S*\s*(.*)$/i;
const subtestPattern = /^( *)# Subtest: (.*)$/;
const yamlStartPattern = /^( *)---\s*$/;

/**
 * Parses TAP version 13/14 (and the unversioned dialect), as printed by `node --test --test-reporter=tap`,
 * tap/tape and pytest-tap.
 *
 * Subtests are indented (4 spaces per level) and announced with `# Subtest: name`; the id of a test point is its
 * ancestors' names and its own description joined with ` > ` (e.g. `math > adds`). Parent test points are reported
 * too. `# SKIP` and `# TODO` test points are `skipped` whatever their `ok`; `not ok` is `failed`. `duration_ms` and
 * `error` are read from the YAML diagnostic block. Parsing stops at `Bail out!`.
 */
export function parseTap(output: string): TestResult[] {
  const lines = output.split(/\r?\n/);
  const results: TestResult[] = [];
  const subtestNames = new Map<number, string>();
  let lastResult: TestResult | undefined;

  for (let index = 0; index < lines.length; index++) {
    const line = lines[index];
    if (/^\s*Bail out!/.test(line)) break;

    const yamlStart = yamlStartPattern.exec(line);
    if (yamlStart && lastResult) {
      const indent = yamlStart[1].length;
      const block: string[] = [];
      index++;
      while (index < lines.length && !new RegExp(`^ {${indent}}\\.\\.\\.\\s*$`).test(lines[index])) {
        block.push(lines[index].slice(indent));
        index++;
      }
      applyDiagnostics(lastResult, block);
      lastResult = undefined;
      continue;
    }

    const subtest = subtestPattern.exec(line);
    if (subtest) {
      const indent = subtest[1].length;
      for (const key of [...subtestNames.keys()]) if (key >= indent) subtestNames.delete(key);
      subtestNames.set(indent, unescapeTap(subtest[2].trim()));
      continue;
    }

    const point = testPointPattern.exec(line);
    if (!point) continue;
    const indent = point[1].length;
    let description = point[4];
    let status: TestStatus = point[2] === 'ok' ? 'passed' : 'failed';
    let message: string | undefined;
    const directive = directivePattern.exec(description);
    if (directive) {
      description = directive[1];
      status = 'skipped';
      message = `${directive[2].toUpperCase()}${directive[3] ? ` ${directive[3]}` : ''}`;
    }
    const name = unescapeTap(description.trim()) || `test ${point[3] ?? results.length + 1}`;
    const ancestors = [...subtestNames.entries()]
      .filter(([ancestorIndent]) => ancestorIndent < indent)
      .sort(([left], [right]) => left - right)
      .map(([, ancestorName]) => ancestorName);
    for (const key of [...subtestNames.keys()]) if (key >= indent) subtestNames.delete(key);
    const result: TestResult = { id: [...ancestors, name].join(' > '), status };
    if (message) result.message = message;
    results.push(result);
    lastResult = result;
  }
  return results;
}

function applyDiagnostics(result: TestResult, block: string[]): void {
  for (const line of block) {
    const duration = /^duration_ms:\s*([\d.eE+-]+)\s*$/.exec(line);
    if (duration && Number.isFinite(Number(duration[1]))) result.durationMs = Number(duration[1]);
  }
  if (result.status !== 'failed') return;
  const error = block.find((line) => /^(error|message):/.test(line));
  const text = error ? unquote(error.replace(/^(error|message):\s*/, '')) : block.join('\n').trim();
  if (text) result.message = truncateMessage(text);
}

function unquote(value: string): string {
  const trimmed = value.trim();
  if (trimmed.length >= 2 && trimmed.startsWith("'") && trimmed.endsWith("'")) {
    return trimmed.slice(1, -1).replaceAll("''", "'");
  }
  if (trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"')) {
    return trimmed.slice(1, -1).replaceAll('\\"', '"');
  }
  return trimmed;
}

function unescapeTap(value: string): string {
  return value.replace(/\\([\\#])/g, '$1');
}
