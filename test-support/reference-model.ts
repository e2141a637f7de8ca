import { RETENTION_FACTS } from '../src/probe/retention-facts.ts';
import type { ToolCase } from '../src/probe/tool-case.ts';
import { TOOL_CASES } from '../src/probe/tool-cases.ts';
import type { RecordedRequest, SimulatedTurn } from '../src/providers/simulated/script.ts';

interface WireMessage {
  role: string;
  content?: unknown;
}

/** The chat messages of an OpenAI-compatible or Ollama request body. */
export function wireMessages(request: RecordedRequest): WireMessage[] {
  const body = request.body as { messages?: WireMessage[] };
  return body.messages ?? [];
}

function textOf(message: WireMessage | undefined): string {
  return typeof message?.content === 'string' ? message.content : '';
}

/** The tool case a request belongs to, recognized by its first user message. */
export function toolCaseOf(request: RecordedRequest): ToolCase | undefined {
  const first = textOf(wireMessages(request).find((message) => message.role === 'user'));
  return TOOL_CASES.find((each) => each.messages[0].content === first);
}

/** A simulated turn giving a case's reference answer. */
export function referenceTurn(testCase: ToolCase): SimulatedTurn {
  return {
    content: testCase.reference.text ?? '',
    toolCalls: testCase.reference.toolCalls?.map((call) => ({ name: call.name, arguments: call.arguments })),
  };
}

/**
 * A simulated model that answers every tool case with its reference answer and every retention question correctly
 * while the request body is under `forgetAboveCharacters` characters (and "I do not remember" above it).
 */
export function referenceModel(forgetAboveCharacters = Number.POSITIVE_INFINITY) {
  return (request: RecordedRequest): SimulatedTurn => {
    const testCase = toolCaseOf(request);
    if (testCase) return referenceTurn(testCase);
    const messages = wireMessages(request);
    const question = textOf(messages.at(-1));
    const fact = RETENTION_FACTS.find((each) => each.question === question);
    if (fact) {
      const remembers = JSON.stringify(request.body).length <= forgetAboveCharacters;
      return { content: remembers ? fact.referenceAnswer : 'I do not remember, sorry. var x = "?";' };
    }
    return { content: 'Deployments are built, tested and published; production updates twice a week.' };
  };
}
