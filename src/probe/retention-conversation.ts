import type { Message } from '../providers/types.ts';
import { seededRandom } from '../shared/seeded-random.ts';
import type { RetentionFact } from './retention-facts.ts';

/** Approximate token count of a text: characters / 4. */
export function approximateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** Approximate token count of a conversation (message contents and tool-call arguments). */
export function conversationTokens(messages: Message[]): number {
  let characters = 0;
  for (const message of messages) {
    characters += message.content.length;
    if (message.role === 'assistant') {
      for (const call of message.toolCalls ?? []) characters += call.name.length + call.rawArguments.length;
    }
  }
  return Math.ceil(characters / 4);
}

const MODULES = [
  'billing',
  'inventory',
  'auth',
  'search',
  'reports',
  'notifications',
  'catalog',
  'scheduler',
];
const NOUNS = [
  'invoice',
  'order',
  'session',
  'query',
  'report',
  'message',
  'product',
  'job',
  'customer',
  'batch',
];
const VERBS = [
  'load',
  'build',
  'validate',
  'format',
  'merge',
  'apply',
  'collect',
  'render',
  'resolve',
  'normalize',
];
const TOPICS = [
  'how errors should be logged in the request handlers',
  'whether the cache layer needs an eviction policy',
  'how to structure the folder for shared helpers',
  'the trade-offs of optimistic updates in the UI',
  'how pagination should work for large result sets',
  'when to prefer composition over inheritance in the services',
  'how to keep the API responses backwards compatible',
  'what to test at the unit level versus end to end',
];

type Random = () => number;

function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)];
}

function capitalized(word: string): string {
  return word[0].toUpperCase() + word.slice(1);
}

/** A plausible TypeScript file of about `lines` lines, numbered like read_file output. */
function generatedFile(random: Random, lines: number): string {
  const output: string[] = [`import { logger } from '../logger.ts';`, ''];
  while (output.length < lines) {
    const noun = pick(random, NOUNS);
    const verb = pick(random, VERBS);
    const name = `${verb}${capitalized(noun)}`;
    output.push(
      `/** ${capitalized(verb)}s a ${noun} before it is stored. */`,
      `export function ${name}(${noun}: ${capitalized(noun)}, options: Options = {}): ${capitalized(noun)} {`,
      `  if (!${noun}.id) throw new Error('${noun} without id');`,
      `  const limit = options.limit ?? ${10 + Math.floor(random() * 90)};`,
      `  logger.debug('${name}', { id: ${noun}.id, limit });`,
      `  return { ...${noun}, items: ${noun}.items.slice(0, limit) };`,
      '}',
      '',
    );
  }
  return output
    .slice(0, lines)
    .map((line, index) => `${String(index + 1).padStart(4)}\t${line}`)
    .join('\n');
}

function fillerAnswer(random: Random, topic: string, budgetCharacters = Number.POSITIVE_INFINITY): string {
  const sentences = [
    `About ${topic}: the simplest option is usually the best starting point.`,
    'Keep the behaviour explicit in one place so that the tests can cover it.',
    'If the requirements grow, we can revisit it without changing the public interface.',
    'I would document the decision in the README so the next person knows why.',
    'It is worth measuring before optimizing, since the hot path may be elsewhere.',
    'A small helper with a clear name tends to age better than a clever abstraction.',
  ];
  const count = 3 + Math.floor(random() * 3);
  const answer: string[] = [];
  // Near the target a fixed-length answer would overshoot it by up to ~100 tokens, or fall short and need another
  // exchange that overshoots: with a budget, sentences are added until the first that reaches it.
  const limit = Number.isFinite(budgetCharacters) ? 3 + Math.ceil(budgetCharacters / 60) : count;
  for (let index = 0; index < limit; index++) {
    answer.push(pick(random, sentences));
    if (answer.join(' ').length >= budgetCharacters) break;
  }
  return answer.join(' ');
}

/** A unique, plausible file path. */
function filePath(random: Random, index: number): string {
  return `src/${pick(random, MODULES)}/${pick(random, VERBS)}-${pick(random, NOUNS)}-${index}.ts`;
}

/**
 * The noise between the fact and the question: filler exchanges and read_file round trips with generated file
 * contents, deterministic for a seed, until about `targetTokens` tokens (chars / 4).
 */
export function noiseMessages(targetTokens: number, seed: number): Message[] {
  const random = seededRandom(seed);
  const messages: Message[] = [];
  let index = 0;
  while (conversationTokens(messages) < targetTokens) {
    const remaining = targetTokens - conversationTokens(messages);
    index += 1;
    if (random() < 0.35 || remaining < 150) {
      const topic = pick(random, TOPICS);
      const question = `Quick question before we go on: what do you think about ${topic}?`;
      messages.push(
        { role: 'user', content: question },
        {
          role: 'assistant',
          content: fillerAnswer(
            random,
            topic,
            remaining < 150 ? remaining * 4 - question.length : Number.POSITIVE_INFINITY,
          ),
        },
      );
      continue;
    }
    const path = filePath(random, index);
    // About 16 tokens per generated line; stay near the target rather than overshoot it.
    const lines = Math.max(8, Math.min(80, Math.floor((remaining - 60) / 16)));
    const id = `call_noise_${index}`;
    const args = { path };
    messages.push(
      { role: 'user', content: `Let's look at ${path}.` },
      {
        role: 'assistant',
        content: '',
        toolCalls: [
          {
            id,
            name: 'read_file',
            arguments: args,
            rawArguments: JSON.stringify(args),
            origin: 'server-parsed',
            format: 'native',
          },
        ],
      },
      { role: 'tool', toolCallId: id, toolName: 'read_file', content: generatedFile(random, lines) },
      {
        role: 'assistant',
        content: `${path} defines small ${pick(random, NOUNS)} helpers that validate their input and log at debug level. Nothing there needs changing right now.`,
      },
    );
  }
  return messages;
}

/**
 * The whole retention conversation after the system prompt: the fact, its acknowledgement, noise up to about
 * `depthTokens` tokens in total, then the question.
 */
export function retentionConversation(fact: RetentionFact, depthTokens: number, seed: number): Message[] {
  const opening: Message[] = [
    { role: 'user', content: fact.statement },
    { role: 'assistant', content: 'Understood, I will keep that in mind.' },
  ];
  const question: Message = { role: 'user', content: fact.question };
  // Rounding each part up can undercount the whole by a token; one more keeps the total at or above the depth.
  const budget = depthTokens - conversationTokens([...opening, question]) + 1;
  return [...opening, ...noiseMessages(Math.max(0, budget), seed), question];
}
