/** `shakedown demo`: scripted agents of known skill on a simulated server, run end to end. SIMULATED. */

export {
  DEMO_AGENTS,
  type DemoAgent,
  demoAgentTurn,
  expectedPassRate,
  solvesTask,
} from './demo-agents.ts';
export { createDemoScript, type DemoTask } from './demo-script.ts';
export {
  DEFAULT_DEMO_TASKS,
  DEMO_TASK_ORDER,
  type DemoAgentResult,
  type DemoOptions,
  type DemoResult,
  demoModelId,
  loadDemoTasks,
  runDemo,
} from './run-demo.ts';
