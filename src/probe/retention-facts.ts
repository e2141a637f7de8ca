/**
 * A fact or constraint given early in a conversation, the question that later needs it, and an exact check of the
 * answer.
 */
export interface RetentionFact {
  id: string;
  kind: 'fact' | 'constraint';
  /** What the user says at the start of the conversation. */
  statement: string;
  /** The question asked after the noise. */
  question: string;
  /** True when the answer shows the fact was retained (or the constraint respected). */
  check(answer: string): boolean;
  /** A correct answer (documents the case; scripts simulated models in tests). */
  referenceAnswer: string;
}

const NO_TOOLS = 'Answer from our conversation, without calling any tool.';

/** Code inside fenced blocks when there are any, else the whole answer. */
export function codeOf(answer: string): string {
  const blocks = [...answer.matchAll(/```[^\n]*\n([\s\S]*?)```/g)].map((match) => match[1]);
  return blocks.length > 0 ? blocks.join('\n') : answer;
}

/** The facts and constraints of the retention probe. */
export const RETENTION_FACTS: readonly RetentionFact[] = [
  {
    id: 'port',
    kind: 'fact',
    statement: "For this whole session, keep in mind that the project's development server port is 7342.",
    question: `Which port does the project's development server use? ${NO_TOOLS} Reply with the number only.`,
    check: (answer) => /(^|\D)7342(\D|$)/.test(answer),
    referenceAnswer: '7342',
  },
  {
    id: 'database-name',
    kind: 'fact',
    statement: 'Note for later: the production database is called orchid_prod.',
    question: `What is the name of the production database? ${NO_TOOLS} Reply with the name only.`,
    check: (answer) => /\borchid_prod\b/.test(answer),
    referenceAnswer: 'orchid_prod',
  },
  {
    id: 'release-codename',
    kind: 'fact',
    statement: 'Remember that the codename of the next release is BLUE-HERON-19.',
    question: `What is the codename of the next release? ${NO_TOOLS} Reply with the codename only.`,
    check: (answer) => /blue-heron-19/i.test(answer),
    referenceAnswer: 'BLUE-HERON-19',
  },
  {
    id: 'no-var',
    kind: 'constraint',
    statement:
      'A rule for all code you write in this session: never use var; always use const (or let when reassigned).',
    question: `Write a JavaScript function sumArray(numbers) that adds up an array of numbers with a for loop. ${NO_TOOLS} Reply with the code only.`,
    check: (answer) => {
      const code = codeOf(answer);
      return /sumArray/.test(code) && /\b(const|let)\b/.test(code) && !/\bvar\b/.test(code);
    },
    referenceAnswer:
      '```js\nfunction sumArray(numbers) {\n  let total = 0;\n  for (const value of numbers) total += value;\n  return total;\n}\n```',
  },
  {
    id: 'single-quotes',
    kind: 'constraint',
    statement:
      'House style for every snippet in this session: strings always use single quotes, never double quotes.',
    question: `Write one line of TypeScript that declares a constant named greeting holding the text hello world. ${NO_TOOLS} Reply with the code only.`,
    check: (answer) => {
      const code = codeOf(answer);
      return /greeting/.test(code) && /'hello world'/i.test(code) && !/"/.test(code);
    },
    referenceAnswer: "```ts\nconst greeting = 'hello world';\n```",
  },
  {
    id: 'test-suffix',
    kind: 'constraint',
    statement: 'Convention to follow: test files in this project always end in .spec.ts, never .test.ts.',
    question: `What should the test file for src/parser.ts be called? ${NO_TOOLS} Reply with the path only.`,
    check: (answer) => /parser\.spec\.ts/.test(answer) && !/parser\.test\.ts/.test(answer),
    referenceAnswer: 'src/parser.spec.ts',
  },
];
