/** One problem found while loading a task: the file, the field path inside it (may be empty) and what is wrong. */
export interface TaskLoadIssue {
  file: string;
  field: string;
  message: string;
}

/** Formats an issue as `file: field: message` (or `file: message` without a field). */
export function formatTaskLoadIssue(issue: TaskLoadIssue): string {
  return issue.field ? `${issue.file}: ${issue.field}: ${issue.message}` : `${issue.file}: ${issue.message}`;
}

/** A task folder that cannot be loaded; `issues` lists every problem found, the message one per line. */
export class TaskLoadError extends Error {
  readonly directory: string;
  readonly issues: TaskLoadIssue[];
  constructor(directory: string, issues: TaskLoadIssue[]) {
    super(
      `Invalid task in ${directory}:\n${issues.map((issue) => `  ${formatTaskLoadIssue(issue)}`).join('\n')}`,
    );
    this.name = 'TaskLoadError';
    this.directory = directory;
    this.issues = issues;
  }
}
