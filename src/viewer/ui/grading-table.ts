/** The grading result of an attempt: FAIL_TO_PASS and PASS_TO_PASS tables, reason and test output. */
import { element } from './dom.ts';

interface GradedTest {
  id: string;
  status: string;
  message?: string;
}

function testsOf(value: unknown): GradedTest[] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (entry): entry is GradedTest =>
      entry !== null && typeof entry === 'object' && typeof entry.id === 'string',
  );
}

function testTable(title: string, tests: GradedTest[]): HTMLElement {
  return element(
    'div',
    {},
    element(
      'h3',
      {},
      `${title} (${tests.filter((test) => test.status === 'passed').length} / ${tests.length} passed)`,
    ),
    element(
      'table',
      { class: `grading-table ${title}` },
      element(
        'thead',
        {},
        element(
          'tr',
          {},
          element('th', {}, 'Test'),
          element('th', {}, 'Status'),
          element('th', {}, 'Message'),
        ),
      ),
      element(
        'tbody',
        {},
        tests.map((test) =>
          element(
            'tr',
            {},
            element('td', { class: 'mono' }, test.id),
            element('td', { class: `test-${test.status}` }, test.status),
            element('td', {}, test.message ?? ''),
          ),
        ),
      ),
    ),
  );
}

/** Renders a stored grade (or says that there is none). */
export function renderGrading(grade: Record<string, unknown> | null): HTMLElement {
  if (!grade) return element('p', { class: 'grading' }, 'Not graded.');
  const output = typeof grade.testOutputTail === 'string' ? grade.testOutputTail : '';
  const constraints = Array.isArray(grade.constraints) ? grade.constraints : [];
  return element(
    'div',
    { class: 'grading' },
    element(
      'p',
      {},
      'Grade: ',
      element(
        'b',
        { class: `outcome-${grade.status === 'resolved' ? 'resolved' : 'other'}` },
        String(grade.status),
      ),
      typeof grade.reason === 'string' && grade.reason ? ` — ${grade.reason}` : '',
      grade.exitCode !== undefined ? ` (exit code ${String(grade.exitCode)})` : '',
    ),
    testTable('FAIL_TO_PASS', testsOf(grade.failToPass)),
    testTable('PASS_TO_PASS', testsOf(grade.passToPass)),
    constraints.length > 0 &&
      element(
        'details',
        {},
        element('summary', {}, `Constraints (${constraints.length})`),
        element('pre', {}, JSON.stringify(constraints, null, 2)),
      ),
    output &&
      element('details', {}, element('summary', {}, 'Test output (tail)'), element('pre', {}, output)),
  );
}
