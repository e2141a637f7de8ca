/**
 * The script of `shakedown demo`'s simulated server: every chat request is answered by the demo agent its `model`
 * names, for the task its first user message (the task's instruction) names, at the step given by the assistant
 * messages so far. Stateless, so attempts may run in any order and at once.
 */

import type { RecordedRequest, Script, SimulatedTurn } from '../providers/simulated/script.ts';
import { isRecord } from '../shared/json-values.ts';
import type { GoldSolution } from '../task/gold-solution.ts';
import { type DemoAgent, demoAgentTurn } from './demo-agents.ts';

/** A task of the demo: its gold solution and its place in the demo's task list (which sets who solves it). */
export interface DemoTask {
  index: number;
  solution: GoldSolution;
}

function failure(message: string): SimulatedTurn {
  return { fault: { kind: 'http-error', status: 400, body: `shakedown demo: ${message}` } };
}

function messageText(message: unknown): string {
  if (!isRecord(message)) return '';
  const { content } = message;
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((part) => (isRecord(part) && typeof part.text === 'string' ? part.text : '')).join('');
  }
  return '';
}

/** The script answering for `agents` on `tasks` (keyed by instruction). */
export function createDemoScript(agents: readonly DemoAgent[], tasks: ReadonlyMap<string, DemoTask>): Script {
  const byName = new Map(agents.map((agent) => [agent.name, agent]));
  return (request: RecordedRequest): SimulatedTurn => {
    const body = isRecord(request.body) ? request.body : {};
    const agent = byName.get(typeof body.model === 'string' ? body.model : '');
    if (!agent) return failure(`no demo agent is called ${JSON.stringify(body.model)}`);
    const messages = Array.isArray(body.messages) ? body.messages : [];
    const firstUser = messages.find((message) => isRecord(message) && message.role === 'user');
    const task = tasks.get(messageText(firstUser));
    if (!task) return failure('the first user message is no demo task instruction');
    const step = messages.filter((message) => isRecord(message) && message.role === 'assistant').length;
    return demoAgentTurn(agent, task.solution, task.index, step);
  };
}
