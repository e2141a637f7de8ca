import type { TestFileLanguage } from '../is-test-file.ts';
import { detectOwnTestRunner, ownRunnerLabels, ownTestRunners } from '../own-test-runner.ts';
import type { TestOutputFormat } from '../test-results/test-result.ts';

/** A test command and how to read its report. */
export interface TestCommand {
  /**
   * Shell command; `{test_files}` is replaced by the test files to run (nothing = the whole suite) and `{test_ids}`
   * by test ids at grading.
   */
  command: string;
  format: TestOutputFormat;
  /** Report file the command writes, relative to the workspace; stdout when absent. */
  outputPath?: string;
  /** What `{test_files}` becomes to run the whole suite (default: nothing; `./...` for Go). */
  wholeSuite?: string;
  /** How the command was chosen, shown to the user (e.g. "pytest, src layout: PYTHONPATH=src"). */
  detectedFrom?: string;
}

/** The files of a project at one commit, as detection needs them. */
export interface ProjectFiles {
  /** Every file path, relative to the repository root. */
  paths: readonly string[];
  /** The text of a file; undefined when absent. */
  read(path: string): Promise<string | undefined>;
}

const junitReport = '.shakedown-test-report.xml';
const jsonReport = '.shakedown-test-report.json';

/**
 * The test command for a language, from the project's own files at the commit:
 * - Python: the project's own runner when it has one (Django's tests/runtests.py, sympy's bin/test), else pytest (every result in the summary, collection errors do not stop the run); a src layout (`src/PKG/`)
 *   gets `PYTHONPATH=src` unless the project's pytest configuration sets `pythonpath` itself.
 * - JavaScript/TypeScript: the runner package.json names (vitest, jest, mocha), else `node --test`, each with a
 *   machine-readable report.
 * - Go: `go test -json` on the packages of the changed test files, or `./...`.
 * Undefined for an unknown language.
 */
export async function detectTestCommand(
  language: TestFileLanguage | undefined,
  project: ProjectFiles = { paths: [], read: async () => undefined },
): Promise<TestCommand | undefined> {
  switch (language) {
    case 'python':
      return detectPythonCommand(project);
    case 'javascript':
      return detectJavaScriptCommand(project);
    case 'go':
      return {
        command: 'go test -json {test_files}',
        format: 'go-test-json',
        wholeSuite: './...',
        detectedFrom: 'go test',
      };
    default:
      return undefined;
  }
}

async function detectPythonCommand(project: ProjectFiles): Promise<TestCommand> {
  const ownRunner = await detectOwnTestRunner(project.paths, (path) => project.read(path));
  if (ownRunner) {
    const runner = ownTestRunners[ownRunner];
    return { command: runner.mineCommand, format: runner.format, detectedFrom: runner.description };
  }
  const pytest = 'python3 -m pytest -rA -p no:cacheprovider --continue-on-collection-errors {test_files}';
  const notes: string[] = ['pytest'];
  const config = await findPytestConfig(project);
  if (config) notes.push(`configuration in ${config.file}`);
  const srcPackages = project.paths.filter((path) => /^src\/[A-Za-z_][\w]*\/__init__\.py$/.test(path));
  if (srcPackages.length > 0 && !config?.setsPythonPath) {
    notes.push('src layout: PYTHONPATH=src');
    return {
      command: `PYTHONPATH=src\${PYTHONPATH:+:$PYTHONPATH} ${pytest}`,
      format: 'pytest',
      detectedFrom: notes.join(', '),
    };
  }
  return { command: pytest, format: 'pytest', detectedFrom: notes.join(', ') };
}

/** Where the project configures pytest, and whether that configuration puts folders on `sys.path`. */
async function findPytestConfig(
  project: ProjectFiles,
): Promise<{ file: string; setsPythonPath: boolean } | undefined> {
  const sections: [string, RegExp][] = [
    ['pytest.ini', /^\s*\[pytest\]/m],
    ['pyproject.toml', /^\s*\[tool\.pytest\.ini_options\]/m],
    ['tox.ini', /^\s*\[pytest\]/m],
    ['setup.cfg', /^\s*\[tool:pytest\]/m],
  ];
  for (const [file, header] of sections) {
    if (!project.paths.includes(file)) continue;
    const text = await project.read(file);
    const match = text === undefined ? null : header.exec(text);
    if (!text || !match) continue;
    const section = text.slice(match.index + match[0].length).split(/^\s*\[/m)[0];
    return { file, setsPythonPath: /^\s*pythonpath\s*=/m.test(section) };
  }
  return undefined;
}

async function detectJavaScriptCommand(project: ProjectFiles): Promise<TestCommand> {
  const text = project.paths.includes('package.json') ? await project.read('package.json') : undefined;
  let manifest: { scripts?: Record<string, string>; devDependencies?: object; dependencies?: object } = {};
  try {
    manifest = text ? JSON.parse(text) : {};
  } catch {
    manifest = {};
  }
  const dependencies = { ...manifest.dependencies, ...manifest.devDependencies };
  const testScript = manifest.scripts?.test ?? '';
  const uses = (name: string) => name in dependencies || new RegExp(`\\b${name}\\b`).test(testScript);
  if (uses('vitest')) {
    return {
      command: `npx vitest run --reporter=junit --outputFile=${junitReport} {test_files}`,
      format: 'junit-xml',
      outputPath: junitReport,
      detectedFrom: 'vitest (package.json)',
    };
  }
  if (uses('jest')) {
    return {
      command: `npx jest --ci --json --outputFile=${jsonReport} {test_files}`,
      format: 'jest-json',
      outputPath: jsonReport,
      detectedFrom: 'jest (package.json)',
    };
  }
  if (uses('mocha')) {
    return {
      command: `npx mocha --reporter xunit --reporter-option output=${junitReport} {test_files}`,
      format: 'junit-xml',
      outputPath: junitReport,
      detectedFrom: 'mocha (package.json)',
    };
  }
  return {
    command: `node --test --test-reporter=junit --test-reporter-destination=${junitReport} {test_files}`,
    format: 'junit-xml',
    outputPath: junitReport,
    detectedFrom: 'node --test',
  };
}

/**
 * The arguments `{test_files}` stands for when only `files` (changed test files) should run: the runnable test
 * files themselves, for Go the packages (`./dir`) holding them, for Django's and sympy's runners their labels. Empty when none of them can run on its own
 * (data files, helpers), which means the whole suite.
 */
export function testFileArguments(
  language: TestFileLanguage | undefined,
  files: readonly string[],
  format?: TestOutputFormat,
): string[] {
  if (format === 'django' || format === 'sympy') return ownRunnerLabels(format, files);
  switch (language) {
    case 'python':
      return files.filter((path) => /(^|\/)(test_[^/]*|[^/]*_test)\.py$/.test(path));
    case 'javascript':
      return files.filter((path) => /\.(test|spec)\.[cm]?[jt]sx?$/.test(path));
    case 'go':
      return [
        ...new Set(
          files
            .filter((path) => path.endsWith('_test.go'))
            .map((path) => `./${path.split('/').slice(0, -1).join('/')}`.replace(/\/$/, '')),
        ),
      ];
    default:
      return [...files];
  }
}

/**
 * The command with `{test_files}` filled in: the given files (shell-quoted), or the whole suite when there are none.
 */
export function commandForFiles(testCommand: TestCommand, files: readonly string[]): string {
  const value = files.length > 0 ? files.map(shellQuote).join(' ') : (testCommand.wholeSuite ?? '');
  return testCommand.command.replaceAll('{test_files}', value).trim();
}

/**
 * The command a mined task is graded with: `{test_files}` becomes `{test_ids}` for pytest (its ids are valid
 * arguments, so grading runs only the declared tests), else the whole suite, plus `changedFiles` (the changed test
 * files, which a narrowed whole suite may leave out).
 */
export function commandForTask(testCommand: TestCommand, changedFiles: readonly string[] = []): string {
  if (testCommand.format === 'pytest') return testCommand.command.replaceAll('{test_files}', '{test_ids}');
  const wholeSuite = testCommand.wholeSuite ?? '';
  if (wholeSuite === '' || changedFiles.length === 0) return commandForFiles(testCommand, []);
  return testCommand.command
    .replaceAll('{test_files}', `${changedFiles.map(shellQuote).join(' ')} ${wholeSuite}`)
    .trim();
}

function shellQuote(text: string): string {
  return /^[\w./:@=+-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}
