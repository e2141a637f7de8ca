/** Tasks: the task folder format, loading, test-report parsing and grading. */

export { applyPatch } from './apply-patch.ts';
export { type BaseFileReaderOptions, createBaseFileReader, type ReadBaseFile } from './base-file-reader.ts';
export {
  type CheckConstraintsOptions,
  type ConstraintResult,
  checkConstraints,
} from './check-constraints.ts';
export { type CheckTaskOptions, checkTask, type TaskCheckReport } from './check-task.ts';
export { computeGoldSolution, computeGoldSolutions, type GoldSolution } from './gold-solution.ts';
export {
  type GradeAttemptInput,
  type GradedTest,
  type GradedTestStatus,
  type GradeResult,
  type GradeStatus,
  gradeAttempt,
} from './grade.ts';
export {
  formatSweBenchImportError,
  type ImportSweBenchOptions,
  importSweBench,
  type SweBenchImportError,
  type SweBenchImportResult,
} from './import-swe-bench.ts';
export { isDocumentationFile, isTestFile, type TestFileLanguage, testFileLanguages } from './is-test-file.ts';
export { lintTask, type TaskCheckProblem } from './lint-task.ts';
export { loadSuite, type SuiteLoadResult } from './load-suite.ts';
export { loadTask, taskFileNames } from './load-task.ts';
export {
  type MineProgressEvent,
  type MineRepositoryOptions,
  type MineResult,
  mineRepository,
} from './mine/mine-repository.ts';
export { listPatchFiles, type PatchFile, type PatchFileChange, PatchParseError } from './patch-files.ts';
export {
  type PreparedTaskWorkspace,
  type PrepareTaskWorkspaceOptions,
  prepareTaskWorkspace,
  type SetupCommandResult,
} from './prepare-task-workspace.ts';
export {
  type RunTaskTestsOptions,
  runTaskTests,
  type TaskTestRun,
  type TaskTestSide,
} from './run-task-tests.ts';
export type { ConstraintCheck, Task, TaskConstraint, TaskLimits, TaskRepository } from './task.ts';
export { formatTaskLoadIssue, TaskLoadError, type TaskLoadIssue } from './task-load-error.ts';
export { type TaskYaml, taskYamlJsonSchema, taskYamlSchema } from './task-schema.ts';
export { TaskSetupError } from './task-setup-error.ts';
export { canonicalTestId, findTestResults } from './test-results/match-test-id.ts';
export { parseGoTestJson } from './test-results/parse-go-test-json.ts';
export { parseJestJson, parseVitestJson } from './test-results/parse-jest-json.ts';
export { parseJunitXml } from './test-results/parse-junit-xml.ts';
export { parsePytest } from './test-results/parse-pytest.ts';
export { parseTap } from './test-results/parse-tap.ts';
export { isDocumentFormat, parseTestOutput } from './test-results/parse-test-output.ts';
export {
  type ParseTestOutputOptions,
  type TestOutputFormat,
  TestOutputParseError,
  type TestResult,
  type TestStatus,
  testOutputFormats,
} from './test-results/test-result.ts';
export { type TaskFolderContent, writeTaskFolder } from './write-task-folder.ts';
