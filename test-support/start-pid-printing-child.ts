import { type ChildProcess, spawn } from 'node:child_process';

/**
 * Starts a test-support script (through tsx) that prints one pid on its first stdout line: the helper process it
 * started (a host command server, a process spawner). Resolves with the child and that pid; rejects when the child
 * exits first. The caller kills the child when done (it is not tracked here).
 */
export async function startPidPrintingChild(
  script: string,
  extra: string[],
): Promise<{ child: ChildProcess; printedPid: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...extra], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const printedPid = await new Promise<number>((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      if (text.includes('\n')) resolve(Number(text.trim()));
    });
    child.once('exit', (code) => reject(new Error(`${script} exited (${code}) before it printed a pid`)));
  }).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  return { child, printedPid };
}
