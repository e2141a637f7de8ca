import { join } from 'node:path';
import { createGitHistory } from './git-history.ts';

/** The commits of {@link createJavaScriptHistory}, by role. */
export interface JavaScriptHistory {
  repositoryDir: string;
  /** Adds `slugify` to src/strings.js with a test in test/strings.test.js. */
  slugify: string;
  /** A `--no-ff` merge of a branch adding `mul` (source and test in separate commits). */
  merge: string;
  /** Only documentation. */
  documentation: string;
}

const header = "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\n";

/**
 * Test support: a small ES-module package tested with `node --test` (package.json `"test": "node --test"`), two
 * source modules each with a test file, and, oldest first: root; a feature with its test and a squash message with
 * trailers; a documentation commit; a merged branch (the newest).
 */
export async function createJavaScriptHistory(directory: string): Promise<JavaScriptHistory> {
  const history = await createGitHistory(join(directory, 'textkit'));
  const strings =
    'export function capitalize(text) {\n  return text.charAt(0).toUpperCase() + text.slice(1);\n}\n';
  const stringTests = `${header}import { capitalize } from '../src/strings.js';\n\ntest('capitalize upper-cases the first letter', () => {\n  assert.equal(capitalize('word'), 'Word');\n});\n`;
  const math = 'export function add(a, b) {\n  return a + b;\n}\n';
  const mathTests = `${header}import { add } from '../src/math.js';\n\ntest('add sums two numbers', () => {\n  assert.equal(add(2, 3), 5);\n});\n`;
  await history.commit('Initial textkit', {
    'package.json': `${JSON.stringify({ name: 'textkit', type: 'module', scripts: { test: 'node --test' } }, null, 2)}\n`,
    'src/strings.js': strings,
    'test/strings.test.js': stringTests,
    'src/math.js': math,
    'test/math.test.js': mathTests,
  });
  const slugify = await history.commit(
    [
      'Add slugify (#4)',
      '',
      'slugify(text) turns a title into a lowercase, dash-separated URL slug without punctuation.',
      '',
      '* wip',
      '',
      '* fix lint',
      '',
      'Co-authored-by: Dependabot[bot] <bot@example.com>',
    ].join('\n'),
    {
      'src/strings.js': `${strings}\nexport function slugify(text) {\n  return text\n    .toLowerCase()\n    .replace(/[^a-z0-9]+/g, '-')\n    .replace(/^-|-$/g, '');\n}\n`,
      'test/strings.test.js': stringTests
        .replace('{ capitalize }', '{ capitalize, slugify }')
        .concat(
          "\ntest('slugify makes a URL slug of a title', () => {\n  assert.equal(slugify('Hello, World!'), 'hello-world');\n});\n",
        ),
    },
  );
  const documentation = await history.commit('Document textkit', { 'README.md': '# textkit\n' });
  await history.git('checkout', '--quiet', '-b', 'multiply');
  await history.commit('Add mul', {
    'src/math.js': `${math}\nexport function mul(a, b) {\n  return a * b;\n}\n`,
  });
  await history.commit('Test mul', {
    'test/math.test.js': mathTests
      .replace('{ add }', '{ add, mul }')
      .concat("\ntest('mul multiplies two numbers', () => {\n  assert.equal(mul(4, 5), 20);\n});\n"),
  });
  await history.git('checkout', '--quiet', 'main');
  await history.git(
    'merge',
    '--quiet',
    '--no-ff',
    'multiply',
    '-m',
    'Merge pull request #9 from dev/multiply',
    '-m',
    'Multiply numbers\n\nmath gains mul(a, b), the product of two numbers, next to add.',
  );
  const merge = await history.git('rev-parse', 'HEAD');
  return { repositoryDir: history.dir, slugify, merge, documentation };
}
