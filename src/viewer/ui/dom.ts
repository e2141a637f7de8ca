/** Minimal DOM construction helpers for the viewer UI (no framework). */

/** Attributes of `element`: strings become attributes, functions under `on*` become event listeners. */
export type Attributes = Record<
  string,
  string | number | boolean | null | undefined | ((event: Event) => void)
>;
/** A child of `element`: nodes, text, or nothing. */
export type Child = Node | string | number | null | undefined | false;

/** Creates an element with attributes and children. */
export function element<Tag extends keyof HTMLElementTagNameMap>(
  tag: Tag,
  attributes: Attributes = {},
  ...children: Array<Child | Child[]>
): HTMLElementTagNameMap[Tag] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') node.addEventListener(name.replace(/^on/, '').toLowerCase(), value);
    else if (value === true) node.setAttribute(name, '');
    else node.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === 'number' ? String(child) : child);
  }
  return node;
}

/** Replaces the children of `parent`. */
export function replaceChildren(parent: Element, ...children: Array<Child | Child[]>): void {
  parent.replaceChildren();
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(typeof child === 'number' ? String(child) : child);
  }
}

/** The `SIMULATED` badge that marks every simulated run, model and attempt. */
export function simulatedBadge(): HTMLElement {
  return element(
    'span',
    { class: 'badge simulated', title: 'Simulated: says nothing about a real model' },
    'SIMULATED',
  );
}

/** A status badge; a running run also gets a blinking LIVE marker. */
export function statusBadge(status: string): HTMLElement[] {
  const badges = [element('span', { class: `badge ${status}` }, status)];
  if (status === 'running')
    badges.push(element('span', { class: 'badge live', title: 'updating live' }, 'LIVE'));
  return badges;
}

/** An error message box. */
export function errorBox(error: unknown): HTMLElement {
  return element('div', { class: 'error-box' }, error instanceof Error ? error.message : String(error));
}
