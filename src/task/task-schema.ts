import { z } from 'zod';
import { testOutputFormats } from './test-results/test-result.ts';

const kebabCase = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

function isValidRegularExpression(pattern: string): boolean {
  try {
    new RegExp(pattern, 'm');
    return true;
  } catch {
    return false;
  }
}

const nonEmptyString = z.string().trim().min(1, { error: 'must not be empty' });
const positiveNumber = z.number({ error: 'must be a number' }).positive({ error: 'must be greater than 0' });
const positiveInteger = z
  .number({ error: 'must be a number' })
  .int({ error: 'must be a whole number' })
  .positive({ error: 'must be greater than 0' });
const regularExpression = nonEmptyString.refine(isValidRegularExpression, {
  error: 'is not a valid regular expression',
});
const globList = z.array(nonEmptyString).min(1, { error: 'must have at least 1 item' });

/** `repo:` a directory inside the task folder or suite (`{ path }`) or a git repository (`{ git }`). */
export const taskRepositorySchema = z.union(
  [
    z.strictObject({
      path: nonEmptyString.describe(
        'Directory relative to the task folder (e.g. "repo" or "../_repos/x"): a plain snapshot, or a git repository when base_commit is set.',
      ),
    }),
    z.strictObject({
      git: nonEmptyString.describe('Git repository: a local path (relative to the task folder) or a URL.'),
    }),
  ],
  { error: 'must be { path: <directory> } or { git: <path or URL> }' },
);

/** `limits:` per-attempt budgets that override the run's defaults. */
export const taskLimitsSchema = z.strictObject({
  max_steps: positiveInteger.optional(),
  max_wall_seconds: positiveNumber.optional(),
  max_total_tokens: positiveInteger.optional(),
  max_cost_usd: positiveNumber.optional(),
  command_timeout_seconds: positiveNumber.optional(),
});

/** `constraints[].check:` how to verify that an early requirement still holds at the end. */
export const constraintCheckSchema = z.union(
  [
    z.strictObject({
      command: nonEmptyString.describe('Shell command run in the sandbox; exit code 0 = kept.'),
    }),
    z.strictObject({
      forbid_pattern: regularExpression.describe(
        'Regular expression that no file matching `paths` may contain.',
      ),
      paths: globList,
    }),
    z.strictObject({
      require_pattern: regularExpression.describe(
        'Regular expression that at least one file matching `paths` must contain.',
      ),
      paths: globList,
    }),
  ],
  { error: 'must be { command }, { forbid_pattern, paths } or { require_pattern, paths }' },
);

/** Schema of a task folder's `task.yaml` (snake_case, as written by people). */
export const taskYamlSchema = z
  .strictObject({
    id: z
      .string()
      .regex(kebabCase, { error: 'must be kebab-case (lowercase letters, digits and single dashes)' }),
    title: nonEmptyString.optional(),
    repo: taskRepositorySchema,
    base_commit: nonEmptyString
      .optional()
      .describe(
        'Commit sha or ref of the base; optional for a plain directory snapshot (committed as the base).',
      ),
    language: nonEmptyString.optional(),
    setup: z
      .array(nonEmptyString)
      .optional()
      .describe('Commands run in the sandbox before the agent starts.'),
    test_command: nonEmptyString.describe(
      'Command run in the sandbox to grade; `{test_ids}` is replaced by the shell-quoted FAIL_TO_PASS and PASS_TO_PASS ids.',
    ),
    test_output: z.strictObject({
      format: z.enum(testOutputFormats, { error: `must be one of: ${testOutputFormats.join(', ')}` }),
      path: nonEmptyString
        .optional()
        .describe('Report file the command writes, relative to the workspace; default stdout.'),
    }),
    fail_to_pass: z.array(nonEmptyString).min(1, { error: 'must have at least 1 item' }),
    pass_to_pass: z.array(nonEmptyString).default([]),
    test_files: z
      .array(nonEmptyString)
      .optional()
      .describe('Files tests.patch touches, restored before grading; derived from tests.patch when absent.'),
    limits: taskLimitsSchema.optional(),
    turns: z
      .array(z.strictObject({ message: nonEmptyString }))
      .optional()
      .describe('Follow-up user messages sent after instruction.md, one per turn.'),
    constraints: z
      .array(
        z.strictObject({
          id: z.string().regex(kebabCase, { error: 'must be kebab-case' }),
          description: nonEmptyString,
          check: constraintCheckSchema,
        }),
      )
      .optional(),
    tags: z.array(nonEmptyString).optional(),
    instruction_source: z
      .enum(['commit', 'model'], { error: 'must be one of: commit, model' })
      .optional()
      .describe(
        'Who wrote instruction.md: mined from the commit message, or rewritten by a model (`mine --rewrite-instructions`).',
      ),
    instruction_model: nonEmptyString
      .optional()
      .describe('The model that rewrote instruction.md (instruction_source: model).'),
    original_instruction: z
      .string()
      .optional()
      .describe('The instruction mined from the commit message, kept when a model rewrote it.'),
    difficulty: z
      .enum(['easy', 'medium', 'hard'], { error: 'must be one of: easy, medium, hard' })
      .optional(),
  })
  .superRefine((task, context) => {
    if ('git' in task.repo && task.base_commit === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['base_commit'],
        message: 'is required when repo is a git repository',
      });
    }
    const failToPass = new Set(task.fail_to_pass);
    task.pass_to_pass.forEach((id, index) => {
      if (failToPass.has(id)) {
        context.addIssue({
          code: 'custom',
          path: ['pass_to_pass', index],
          message: `"${id}" is also in fail_to_pass`,
        });
      }
    });
    const constraintIds = new Set<string>();
    task.constraints?.forEach((constraint, index) => {
      if (constraintIds.has(constraint.id)) {
        context.addIssue({
          code: 'custom',
          path: ['constraints', index, 'id'],
          message: `duplicate id "${constraint.id}"`,
        });
      }
      constraintIds.add(constraint.id);
    });
  });

/** `task.yaml` as validated (snake_case). */
export type TaskYaml = z.output<typeof taskYamlSchema>;

/** JSON Schema of `task.yaml`, for editor completion and validation (e.g. the YAML language server). */
export function taskYamlJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(taskYamlSchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
}
