import type { TestOutputFormat } from './test-results/test-result.ts';

/** Where a task's repository comes from. */
export type TaskRepository =
  /** A directory (absolute path): a plain snapshot when `baseCommit` is null, else a git repository. */
  | { kind: 'directory'; path: string }
  /** A git repository: an absolute local path or a URL. */
  | { kind: 'git'; url: string };

/** Per-attempt budgets a task sets (each overrides the run's default). */
export interface TaskLimits {
  maxSteps?: number;
  maxWallSeconds?: number;
  maxTotalTokens?: number;
  maxCostUsd?: number;
  commandTimeoutSeconds?: number;
}

/** How a constraint is checked at the end of an attempt. */
export type ConstraintCheck =
  | { kind: 'command'; command: string }
  | { kind: 'forbid-pattern'; pattern: string; paths: string[] }
  | { kind: 'require-pattern'; pattern: string; paths: string[] };

/** A requirement given early in the conversation that must still hold at the end (context retention). */
export interface TaskConstraint {
  id: string;
  description: string;
  check: ConstraintCheck;
}

/** A fully loaded, validated task (see `loadTask`). */
export interface Task {
  id: string;
  title?: string;
  /** Absolute path of the task folder. */
  directory: string;
  repository: TaskRepository;
  /** Commit sha or ref of the base; null for a plain directory snapshot. */
  baseCommit: string | null;
  language?: string;
  setup: string[];
  testCommand: string;
  testOutput: { format: TestOutputFormat; path?: string };
  failToPass: string[];
  passToPass: string[];
  /** Files restored to their base content before grading (declared or derived from tests.patch). */
  testFiles: string[];
  limits: TaskLimits;
  /** Follow-up user messages, one per turn after the instruction. */
  turns: string[];
  constraints: TaskConstraint[];
  tags: string[];
  /** Who wrote the instruction, when task.yaml says (`instruction_source`); a model's id and the original kept. */
  instructionSource?: { source: 'commit' | 'model'; model?: string; original?: string };
  difficulty?: 'easy' | 'medium' | 'hard';
  /** Contents of instruction.md. */
  instruction: string;
  /** Contents of gold.patch (the reference solution). */
  goldPatch: string;
  /** Contents of tests.patch (the hidden tests, applied only for grading). */
  testsPatch: string;
}
