/** Test helper: what a command writes to stdout while it runs in this process. */
import { vi } from 'vitest';

/** Runs `run` with stdout captured (not printed) and returns what it wrote. */
export async function captureStdout(run: () => Promise<unknown>): Promise<string> {
  let output = '';
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    output += String(chunk);
    return true;
  });
  try {
    await run();
  } finally {
    stdout.mockRestore();
  }
  return output;
}
