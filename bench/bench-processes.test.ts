import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BenchServer, startBenchServer } from './bench-processes.ts';

async function chat(server: BenchServer, instruction: string): Promise<string> {
  const response = await fetch(`${server.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'bench-model',
      stream: true,
      messages: [{ role: 'user', content: instruction }],
    }),
  });
  expect(response.headers.get('x-shakedown-simulated')).toBe('1');
  return response.text();
}

describe('bench model server', () => {
  // One server process for both tests: starting one takes a while on a busy machine.
  let server: BenchServer;
  beforeAll(async () => {
    server = await startBenchServer({ slots: 2, latencyMs: 3000 });
  });
  afterAll(() => server.close());

  it('holds at most its slots at once, queues the rest and counts what it saw', async () => {
    await server.reset();
    const answers = await Promise.all(Array.from({ length: 6 }, () => chat(server, 'bench-steps: 3')));
    for (const answer of answers) expect(answer).toContain('run_command');
    const stats = await server.stats();
    // Six requests sent at once, each holding its slot 3 s: two in slots, the others queued behind them.
    expect(stats).toMatchObject({ slots: 2, chatRequests: 6, maxInSlots: 2 });
    expect(stats.maxInFlight).toBeGreaterThan(2);
    // Busy slot time is counted inside the window it reports: the figure it gives the bench never exceeds 100%.
    expect(stats.lastEndMs!).toBeGreaterThan(stats.firstStartMs!);
    expect(stats.busyMs).toBeLessThanOrEqual(2 * (stats.lastEndMs! - stats.firstStartMs!));
    expect((await (await fetch(`${server.url}/props`)).json()) as { total_slots: number }).toMatchObject({
      total_slots: 2,
    });
    await server.reset();
    expect(await server.stats()).toMatchObject({ chatRequests: 0, maxInSlots: 0, maxInFlight: 0, busyMs: 0 });
  });

  it('answers from the instruction: run_command until the last step, the calc fix, then finish', async () => {
    expect(await chat(server, 'bench-steps: 1')).toContain('finish');
    expect(await chat(server, 'Task calc-task-0: add(2, 3) returns -1. Make add add.')).toContain(
      'write_file',
    );
  });
});
