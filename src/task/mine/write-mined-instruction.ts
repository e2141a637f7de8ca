import { expectedBehaviourHeading } from '../assess-instruction.ts';
import { cleanCommitMessage } from './clean-commit-message.ts';

/**
 * Turns a test id into words: `tests/test_calc.py::TestCalc::test_mul_negatives[2]` → `calc: mul negatives`,
 * `TestParseURL/empty_host` → `parse URL: empty host`, `src/a.test.ts > parser > rejects empty input` →
 * `parser: rejects empty input`.
 */
export function humanizeTestName(id: string): string {
  const withoutParameters = id.replace(/\[.*\]$/, '');
  const segments = withoutParameters.split(/::| > |\//).filter(Boolean);
  const words = (segment: string) =>
    segment
      .replace(/\.(py|[cm]?[jt]sx?|go)$/, '')
      .replace(/^(test_?|Test)(?=[A-Za-z0-9])/, '')
      .replace(/_test$/, '')
      .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
      .replace(/[_-]+/g, ' ')
      .trim();
  const name = words(segments.at(-1) ?? id);
  // node --test's JUnit report gives every case the classname "test": no context.
  const context = segments.length > 1 ? words(segments.at(-2) as string).replace(/^test$/, '') : '';
  return context && context !== name ? `${context}: ${name}` : name;
}

/**
 * Writes a mined task's instruction from the commit message (cleaned of trailers, bot lines and squash chatter, see
 * {@link cleanCommitMessage}) and the names of its FAIL_TO_PASS tests only (never from the diff): the subject as a
 * title, the body, then the expected behaviour as a list of humanized test names.
 */
export function writeMinedInstruction(subject: string, body: string, failToPass: readonly string[]): string {
  const cleaned = cleanCommitMessage(subject, body);
  const behaviours = [...new Set(failToPass.map(humanizeTestName))].map((name) => `- ${name}`);
  const parts = [`# ${cleaned.subject}`];
  if (cleaned.body) parts.push(cleaned.body);
  parts.push(`${expectedBehaviourHeading}\n\n${behaviours.join('\n')}`);
  return `${parts.join('\n\n')}\n`;
}
