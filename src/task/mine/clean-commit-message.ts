/** A commit message with the noise taken out. */
export interface CleanedCommitMessage {
  subject: string;
  body: string;
}

/** `Key-Name: value` trailers git and review tools append (Co-authored-by, Signed-off-by, Change-Id...). */
const trailerLine =
  /^[A-Za-z][A-Za-z0-9-]*(-by|-Id|-id|-URL|-url)\s*:\s*\S|^(Change-Id|Bug|Fixes|Closes|Refs|Ref|See|Cc|Reviewed-on|Pull-Request|PR-URL|Part-of)\s*:\s*\S/i;

/** Lines that review bots and squash merges add and that say nothing about the behaviour. */
const noiseLine = [
  /\[bot\]/i,
  /pre-commit\.ci/i,
  /^\s*<!--.*-->\s*$/,
  /^\s*(🤖\s*)?Generated with\b/i,
  /^\s*\[?(skip ci|ci skip|no ci)\]?\s*$/i,
  /^\s*-{3,}\s*$/,
];

/** Squash-merge bullets that are the branch's intermediate commit subjects, not a description. */
const squashChatter =
  /^((fix(ed|es)?|run|apply|more|add|update)\s+)?(update|updated|fix|fixes|fixed|wip|typos?|lint(ing)?|format(ting)?|tests?|review|style|cleanup|clean up|changelog|docs?|minor|nits?|ci|build|types?|mypy|flake8|ruff|eslint|prettier|black|isort|pre-commit)(\s+\S+\.\w+)?\s*$|^(address(ed)? (review|comments?|feedback)|apply suggestions? from code review|merge branch |merge remote-tracking branch |revert )/i;

/**
 * Cleans a commit message for a task instruction: drops trailers (`Co-authored-by:`, `Signed-off-by:`...), bot
 * and CI lines, HTML comments, squash-merge bullets that are only intermediate commit subjects ("* Update x.py",
 * "* address review"), and issue references with nothing else to say ("Fixes #218", a trailing "(#123)"). A GitHub
 * merge subject ("Merge pull request #12 from a/b") gives way to the pull request's title on the next line.
 */
export function cleanCommitMessage(subject: string, body: string): CleanedCommitMessage {
  let lines = body.split('\n');
  let title = subject.trim();
  const merge = /^Merge (pull request|branch|remote-tracking branch) /i.test(title);
  if (merge) {
    const firstText = lines.findIndex((line) => line.trim() !== '');
    if (firstText >= 0) {
      title = lines[firstText].trim();
      lines = lines.slice(firstText + 1);
    }
  }
  title = stripIssueReferences(title) || title;
  const kept: string[] = [];
  for (const line of lines) {
    const trimmed = line.trim();
    if (trailerLine.test(trimmed) || noiseLine.some((pattern) => pattern.test(trimmed))) continue;
    const bullet = /^[*-]\s+(.*)$/.exec(trimmed);
    if (bullet && (squashChatter.test(bullet[1].trim()) || bullet[1].trim() === '')) continue;
    const withoutReferences = stripIssueReferences(trimmed);
    if (trimmed !== '' && withoutReferences === '') continue;
    kept.push(line.trimEnd());
  }
  const bodyText = kept
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return { subject: title, body: bodyText };
}

/** The text without issue references ("Fixes #12", "closes owner/repo#3", "(#123)"); empty when nothing else is left. */
function stripIssueReferences(text: string): string {
  return text
    .replace(/\(\s*(#\d+\s*,?\s*)+\)/g, '')
    .replace(/\b(fix(es|ed)?|close[sd]?|resolve[sd]?|refs?|see)\b:?\s+([\w.-]+\/[\w.-]+)?#\d+/gi, '')
    .replace(/(^|\s)([\w.-]+\/[\w.-]+)?#\d+\b/g, '$1')
    .replace(/^[\s.,;:-]+|[\s.,;:-]+$/g, '')
    .trim();
}
