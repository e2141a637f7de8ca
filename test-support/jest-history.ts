import { join } from 'node:path';
import { createGitHistory } from './git-history.ts';

/** The commits of {@link createJestHistory}, by role. */
export interface JestHistory {
  repositoryDir: string;
  /** Fixes `truncate` for text shorter than the limit, with a new test (a task). */
  truncateFix: string;
}

const strings =
  'function truncate(text, limit) {\n  return text.slice(0, limit - 1) + "…";\n}\n\nfunction shout(text) {\n  return text.toUpperCase();\n}\n\nmodule.exports = { truncate, shout };\n';
const stringTests =
  "const { truncate, shout } = require('../src/strings');\n\ntest('truncate shortens long text with an ellipsis', () => {\n  expect(truncate('abcdefgh', 4)).toBe('abc…');\n});\n\ntest('shout upper-cases', () => {\n  expect(shout('hi')).toBe('HI');\n});\n";

/**
 * Test support: a small CommonJS package tested with jest (named in `devDependencies`, `"test": "jest"`), with
 * `src/strings.js` and its tests in `__tests__/strings.test.js`; after the root, a fix of `truncate` (it cut short
 * text too) with a new test.
 */
export async function createJestHistory(directory: string): Promise<JestHistory> {
  const history = await createGitHistory(join(directory, 'shortkit'));
  await history.commit('Initial shortkit', {
    'package.json': `${JSON.stringify({ name: 'shortkit', scripts: { test: 'jest' }, devDependencies: { jest: '^29.7.0' } }, null, 2)}\n`,
    '.gitignore': 'node_modules\n',
    'src/strings.js': strings,
    '__tests__/strings.test.js': stringTests,
  });
  const truncateFix = await history.commit(
    'Keep short text whole in truncate (#12)\n\ntruncate(text, limit) returns text unchanged when it is not longer than limit, instead of cutting it and adding an ellipsis.\n\nSigned-off-by: Dev <dev@example.com>',
    {
      'src/strings.js': strings.replace(
        '{\n  return text.slice',
        '{\n  if (text.length <= limit) return text;\n  return text.slice',
      ),
      '__tests__/strings.test.js': `${stringTests}\ntest('truncate keeps text within the limit whole', () => {\n  expect(truncate('abc', 4)).toBe('abc');\n});\n`,
    },
  );
  return { repositoryDir: history.dir, truncateFix };
}
