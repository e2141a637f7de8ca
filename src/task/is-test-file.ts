/** Languages whose test-file conventions {@link isTestFile} knows. */
export const testFileLanguages = ['python', 'javascript', 'go'] as const;

/** One of {@link testFileLanguages}. */
export type TestFileLanguage = (typeof testFileLanguages)[number];

const testDirectoryNames = new Set(['test', 'tests', 'testing', '__tests__', 'spec', 'specs', 'testdata']);

const fileNamePatterns: Record<TestFileLanguage, RegExp[]> = {
  python: [/^test_.*\.py$/, /^.*_test\.py$/, /^conftest\.py$/],
  javascript: [/\.(test|spec)\.[cm]?[jt]sx?$/, /\.snap$/],
  go: [/_test\.go$/],
};

const sourceExtensions: Record<TestFileLanguage, RegExp> = {
  python: /\.pyi?$/,
  javascript: /\.[cm]?[jt]sx?$/,
  go: /\.go$/,
};

const documentationPattern =
  /(^|\/)(docs?|documentation)\/|\.(md|rst|txt|adoc)$|(^|\/)(LICENSE|COPYING|AUTHORS|CHANGELOG|CHANGES|NEWS)[^/]*$/i;

/**
 * Whether `path` (relative to the repository root) looks like a test file: a file under a `test`, `tests`,
 * `__tests__`, `spec` or `testdata` folder, or named like a test for the language (`test_*.py`, `*_test.py`,
 * `conftest.py`, `*.test.ts`, `*.spec.js`, `*_test.go`). Without a language every convention applies.
 */
export function isTestFile(path: string, language?: TestFileLanguage): boolean {
  const parts = path.split('/');
  const name = parts.at(-1) ?? '';
  if (parts.slice(0, -1).some((part) => testDirectoryNames.has(part))) return true;
  const languages = language ? [language] : testFileLanguages;
  return languages.some((each) => fileNamePatterns[each].some((pattern) => pattern.test(name)));
}

/** Whether `path` is documentation (README, docs/, *.md, LICENSE...) rather than code. */
export function isDocumentationFile(path: string): boolean {
  return documentationPattern.test(path);
}

/** The language whose source or test files `path` belongs to, when it is one of {@link testFileLanguages}. */
export function languageOfFile(path: string): TestFileLanguage | undefined {
  return testFileLanguages.find((language) => sourceExtensions[language].test(path));
}
