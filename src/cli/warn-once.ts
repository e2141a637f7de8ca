const printed = new Set<string>();

/**
 * Prints `warning: <message>` to stderr the first time this process sees the message, and never again: sandbox
 * warnings (such as backend 'none' having no isolation) come once per workspace, and mining or checking creates
 * many workspaces.
 */
export function warnOnce(
  message: string,
  write: (text: string) => void = (text) => process.stderr.write(text),
): void {
  if (printed.has(message)) return;
  printed.add(message);
  write(`warning: ${message}\n`);
}
