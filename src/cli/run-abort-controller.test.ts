import { afterEach, describe, expect, it } from 'vitest';
import { createRunAbortController } from './run-abort-controller.ts';

const warnings: string[] = [];
const onWarning = (warning: Error) => warnings.push(warning.name);

afterEach(() => {
  process.off('warning', onWarning);
  warnings.length = 0;
});

/** Adds `count` abort listeners to `signal` and returns the warnings Node emitted for it. */
async function warningsForListeners(signal: AbortSignal, count: number): Promise<string[]> {
  process.on('warning', onWarning);
  for (let index = 0; index < count; index++) signal.addEventListener('abort', () => undefined);
  await new Promise((resolve) => setImmediate(resolve));
  return [...warnings];
}

describe('createRunAbortController', () => {
  it('takes one abort listener per attempt in flight without a MaxListenersExceededWarning', async () => {
    expect(await warningsForListeners(createRunAbortController().signal, 64)).toEqual([]);
  });

  it('(control) a plain AbortController warns past 10 listeners', async () => {
    expect(await warningsForListeners(new AbortController().signal, 11)).toContain(
      'MaxListenersExceededWarning',
    );
  });
});
