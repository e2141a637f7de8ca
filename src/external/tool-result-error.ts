/**
 * Best-effort detection of a failed tool execution from the tool result a black-box agent sends back to the model.
 * An external agent runs its tools itself, so the proxy only sees the text it returns; this recognizes the usual
 * shapes of failures (a leading `Error:`/`Exception:`/`Failed`, a Python traceback, a JSON `{"error": …}` object,
 * a non-zero exit code report). False negatives are expected (an agent that phrases failures differently);
 * false positives are rare because only the first line and a few unambiguous markers are inspected.
 */

const LEADING_ERROR =
  /^\s*(?:\[?error\]?\b|exception\b|traceback\b|fatal\b|failed\b|failure\b|tool (?:call )?failed\b)/i;
const TRACEBACK = /Traceback \(most recent call last\):/;
const JSON_ERROR = /^\s*\{\s*"(?:error|is_error)"\s*:\s*(?!\s|null|false)/;
const EXIT_CODE = /\b(?:exit(?:ed)?(?: with)? (?:code|status)|exit_code|returncode)\s*[:=]?\s*([1-9]\d*)\b/i;

/** Whether a tool result looks like a failed execution; returns a short reason, or null when it looks fine. */
export function toolResultErrorReason(content: string): string | null {
  const firstLine = content.trimStart().split('\n', 1)[0] ?? '';
  if (LEADING_ERROR.test(firstLine)) return shorten(firstLine);
  if (TRACEBACK.test(content)) return 'the result contains a Python traceback';
  if (JSON_ERROR.test(content)) return shorten(firstLine);
  const exit = EXIT_CODE.exec(content.slice(0, 2000));
  if (exit) return `the result reports exit code ${exit[1]}`;
  return null;
}

function shorten(line: string): string {
  const trimmed = line.trim();
  return trimmed.length > 200 ? `${trimmed.slice(0, 200)}…` : trimmed;
}
