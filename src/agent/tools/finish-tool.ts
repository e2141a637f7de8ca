import { z } from 'zod';
import type { AgentTool } from '../tool.ts';
import { forgivingObject } from './forgiving-arguments.ts';
import { toolSuccess } from './tool-output.ts';

const schema = forgivingObject(
  { summary: z.string().describe('What you changed and why.') },
  { message: 'summary', result: 'summary', reason: 'summary', description: 'summary' },
);

/** Arguments of finish. */
export type FinishArguments = z.infer<typeof schema>;

/** Ends the attempt; the agent loop stops on `metadata.finished`. */
export const finishTool: AgentTool<FinishArguments> = {
  name: 'finish',
  description: 'Call when the task is done (or you cannot make more progress), with a short summary.',
  schema,
  async execute(args) {
    return toolSuccess('Finished.', { finished: true, summary: args.summary });
  },
};
