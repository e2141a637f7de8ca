import type { TestResult, TestStatus } from './test-result.ts';
import { truncateMessage } from './truncate-message.ts';

interface GoTestEvent {
  Action?: string;
  Package?: string;
  Test?: string;
  Elapsed?: number;
  Output?: string;
}

const actionStatus: Record<string, TestStatus> = { pass: 'passed', fail: 'failed', skip: 'skipped' };

/**
 * Parses `go test -json` (test2json) output: one JSON event per line; non-JSON lines are ignored.
 *
 * Each `pass`/`fail`/`skip` event that names a `Test` is a result with id `package::TestName` (subtests keep Go's
 * `TestName/sub_case` spelling); `Elapsed` (seconds) gives the duration and the test's `output` events the
 * failure message. A package that fails with no test results of its own (build failure, panic in init, timeout)
 * becomes one `error` result whose id is the package, as does Go < 1.24's plain `FAIL pkg [build failed]` line.
 */
export function parseGoTestJson(output: string): TestResult[] {
  const results: TestResult[] = [];
  const outputByTest = new Map<string, string[]>();
  const packagesWithTests = new Set<string>();
  const failedPackages = new Map<string, string[]>();
  const reportedPackages = new Set<string>();

  for (const line of output.split(/\r?\n/)) {
    // Go before 1.24 reports a package that does not compile as a plain line, not as JSON events.
    const buildFailure = /^FAIL\s+(\S+)\s+\[(build|setup) failed\]/.exec(line);
    if (buildFailure) {
      if (packagesWithTests.has(buildFailure[1]) || reportedPackages.has(buildFailure[1])) continue;
      reportedPackages.add(buildFailure[1]);
      results.push({ id: buildFailure[1], status: 'error', message: `${buildFailure[2]} failed` });
      continue;
    }
    if (!line.startsWith('{')) continue;
    let event: GoTestEvent;
    try {
      event = JSON.parse(line) as GoTestEvent;
    } catch {
      continue;
    }
    const packageName = event.Package ?? '';
    const action = event.Action ?? '';
    if (event.Test) {
      const id = packageName ? `${packageName}::${event.Test}` : event.Test;
      if (action === 'output' && event.Output !== undefined) {
        const lines = outputByTest.get(id) ?? [];
        lines.push(event.Output);
        outputByTest.set(id, lines);
        continue;
      }
      const status = actionStatus[action];
      if (!status) continue;
      packagesWithTests.add(packageName);
      const result: TestResult = { id, status };
      if (typeof event.Elapsed === 'number') result.durationMs = event.Elapsed * 1000;
      if (status !== 'passed') {
        const text = (outputByTest.get(id) ?? []).filter((text) => !/^\s*(=== |--- )/.test(text)).join('');
        if (text.trim()) result.message = truncateMessage(text.trim());
      }
      results.push(result);
      continue;
    }
    if (action === 'output' && event.Output !== undefined) {
      const lines = failedPackages.get(packageName) ?? [];
      lines.push(event.Output);
      failedPackages.set(packageName, lines);
    } else if (
      action === 'fail' &&
      !packagesWithTests.has(packageName) &&
      !reportedPackages.has(packageName)
    ) {
      reportedPackages.add(packageName);
      const text = (failedPackages.get(packageName) ?? []).join('').trim();
      const result: TestResult = { id: packageName, status: 'error' };
      if (text) result.message = truncateMessage(text);
      results.push(result);
    }
  }
  return results;
}
