/** Renders a unified diff with +/- colouring. */
import { element } from './dom.ts';

/** The class of one diff line. */
export function diffLineClass(line: string): string {
  if (
    line.startsWith('+++') ||
    line.startsWith('---') ||
    line.startsWith('diff ') ||
    line.startsWith('Index:')
  )
    return 'file';
  if (line.startsWith('@@')) return 'hunk';
  if (line.startsWith('+')) return 'added';
  if (line.startsWith('-')) return 'removed';
  return 'context';
}

/** True when `text` looks like a unified diff (has a hunk header). */
export function looksLikeDiff(text: string): boolean {
  return /^@@ -\d+(,\d+)? \+\d+(,\d+)? @@/m.test(text);
}

/** A unified diff, one coloured line per diff line. */
export function renderDiff(diff: string): HTMLElement {
  return element(
    'div',
    { class: 'diff' },
    diff
      .split('\n')
      .map((line) => element('div', { class: `line ${diffLineClass(line)}` }, line === '' ? ' ' : line)),
  );
}
