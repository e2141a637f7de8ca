/** Whether an instruction says enough to be solvable without seeing the hidden tests. */
export interface InstructionAssessment {
  underspecified: boolean;
  /** Why, one phrase each; empty when the instruction looks specified. */
  reasons: string[];
}

/** Heading of the list of expected behaviours mining appends (humanized FAIL_TO_PASS names). */
export const expectedBehaviourHeading = 'The following behaviour is expected:';

const minimumWords = 8;
const stopWords = new Set(
  'the a an and or of to in on for with by from at is are be was it this that as into when not no fix fixes fixed bug issue add adds added update updates updated change changes changed make makes use uses some small minor'.split(
    ' ',
  ),
);

function contentWords(text: string): string[] {
  return (text.toLowerCase().match(/[a-z][a-z0-9_]{2,}/g) ?? []).filter((word) => !stopWords.has(word));
}

/**
 * A heuristic check (in the spirit of SWE-smith / R2E-Gym's filters) that an instruction states the behaviour its
 * hidden tests check: its prose (the title and body, not mining's expected-behaviour list) must have at least
 * {@link minimumWords} content words and be more than an issue reference ("Fix #218"); a flagged instruction also
 * says when no FAIL_TO_PASS test name shares a word with it. A flag is a prompt to rewrite the instruction by hand,
 * not proof that it is unsolvable.
 */
export function assessInstruction(
  instruction: string,
  failToPass: readonly string[] = [],
): InstructionAssessment {
  const prose = instruction.split(expectedBehaviourHeading)[0];
  const words = contentWords(prose.replace(/[\w.-]*#\d+/g, ' '));
  const reasons: string[] = [];
  if (/^#*\s*(fix(es|ed)?|close[sd]?|resolve[sd]?)?\s*([\w.-]+\/[\w.-]+)?#\d+\s*$/im.test(prose.trim())) {
    reasons.push('it only refers to an issue whose text is not included');
  } else if (words.length < minimumWords) {
    reasons.push(`its description has ${words.length} content word(s) (fewer than ${minimumWords})`);
  }
  if (failToPass.length > 0) {
    const testWords = new Set(
      failToPass.flatMap((id) =>
        contentWords(
          (id.split(/::| > |\//).at(-1) ?? id)
            .replace(/\[.*\]$/, '')
            .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
            .replace(/^test_?/i, ''),
        ).flatMap((word) => word.split('_')),
      ),
    );
    const proseWords = new Set(words.flatMap((word) => word.split('_')));
    const shared = [...testWords].some((word) => word.length > 2 && proseWords.has(word));
    if (!shared && reasons.length > 0) {
      reasons.push('no FAIL_TO_PASS test name shares a word with it');
    }
  }
  return { underspecified: reasons.length > 0, reasons };
}
