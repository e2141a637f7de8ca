/**
 * The shape of wire JSON for comparing a simulated server with a recorded real one: every key path with its JSON
 * type (`message.tool_calls[].function.arguments.city: string`). Values are ignored, array items merged.
 */
export function jsonShape(value: unknown, path = ''): Set<string> {
  const shape = new Set<string>();
  const visit = (current: unknown, at: string) => {
    if (Array.isArray(current)) {
      shape.add(`${at}: array`);
      for (const item of current) visit(item, `${at}[]`);
    } else if (current !== null && typeof current === 'object') {
      shape.add(`${at || '.'}: object`);
      for (const [key, child] of Object.entries(current)) visit(child, at ? `${at}.${key}` : key);
    } else {
      shape.add(`${at}: ${current === null ? 'null' : typeof current}`);
    }
  };
  visit(value, path);
  return shape;
}

/** The key paths of `expected` that `actual` lacks or types differently (empty when `actual` covers it). */
export function missingShape(expected: Set<string>, actual: Set<string>): string[] {
  return [...expected].filter((entry) => !actual.has(entry));
}

/** The JSON payloads of an SSE body's `data:` lines, `[DONE]` kept as the string. */
export function sseDataPayloads(body: string): Array<{ event: string | null; data: string }> {
  const events: Array<{ event: string | null; data: string }> = [];
  for (const block of body.split(/\r?\n\r?\n/)) {
    const lines = block.split(/\r?\n/);
    const event =
      lines
        .find((line) => line.startsWith('event:'))
        ?.slice(6)
        .trim() ?? null;
    const data = lines
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).replace(/^ /, ''))
      .join('\n');
    if (data) events.push({ event, data });
  }
  return events;
}

/**
 * The field names of each SSE frame of a body, in order (`[['event', 'data'], ['error'], ['data']]`), comment lines
 * left out: `sseDataPayloads` keeps only `data:`, this shows a non-standard field such as llama.cpp's old `error:`.
 */
export function sseFrameFields(body: string): string[][] {
  return body
    .split(/\r?\n\r?\n/)
    .map((block) =>
      block
        .split(/\r?\n/)
        .filter((line) => line !== '' && !line.startsWith(':'))
        .map((line) => line.split(':', 1)[0]),
    )
    .filter((fields) => fields.length > 0);
}
