import {
  appendFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TranscriptEvent } from './events.ts';
import { parseTranscript, readTranscript } from './transcript-reader.ts';
import { createTranscriptWriter } from './transcript-writer.ts';

let directory: string;
beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'shakedown-transcript-'));
});
afterEach(() => {
  rmSync(directory, { recursive: true, force: true });
});

const totals = {
  steps: 1,
  turnsCompleted: 1,
  usage: { inputTokens: 1, cachedInputTokens: 0, outputTokens: 1, reasoningTokens: 0 },
  costUsd: 0,
  wallMs: 1,
  modelMs: 1,
  toolMs: 0,
  toolCalls: 0,
  invalidToolCalls: 0,
  formatErrors: 0,
};

describe('transcript writer and reader', () => {
  it('appends numbered, timestamped lines as events happen and reads them back', async () => {
    const path = join(directory, 'nested', 'attempt.jsonl');
    const seen: TranscriptEvent[] = [];
    const writer = createTranscriptWriter({ path, onEvent: (event) => seen.push(event) });
    writer.write({ type: 'user-message', turnIndex: 0, kind: 'instruction', content: 'fix the bug' });
    // Written synchronously: visible before close.
    expect(readFileSync(path, 'utf8').split('\n')).toHaveLength(2);
    writer.write({ type: 'attempt-finished', status: 'submitted', summary: 'done', totals });
    writer.close();
    expect(() => writer.write({ type: 'limit-reached', which: 'steps', limit: 1, value: 1 })).toThrow(
      /closed/,
    );

    const { events, problems } = await readTranscript(path);
    expect(problems).toEqual([]);
    expect(events.map((event) => [event.sequence, event.type])).toEqual([
      [0, 'user-message'],
      [1, 'attempt-finished'],
    ]);
    expect(Date.parse(events[0]!.time)).not.toBeNaN();
    expect(seen).toEqual(events);
    expect(writer.events).toEqual(events);
  });

  it.skipIf(process.platform !== 'linux')(
    'syncs to disk off the event loop and closes the file once synced',
    async () => {
      const path = join(directory, 'attempt.jsonl');
      const openOnPath = () =>
        readdirSync('/proc/self/fd').filter((fd) => {
          try {
            return readlinkSync(`/proc/self/fd/${fd}`) === path;
          } catch {
            return false;
          }
        }).length;
      const writer = createTranscriptWriter({ path });
      writer.write({ type: 'user-message', turnIndex: 0, kind: 'instruction', content: 'one' });
      writer.write({ type: 'attempt-finished', status: 'submitted', summary: 'done', totals });
      writer.close();
      // The fsync runs on libuv's thread pool: the file stays open until it is done, then closes.
      expect(openOnPath()).toBe(1);
      await expect(writer.synced()).resolves.toBeUndefined();
      expect(openOnPath()).toBe(0);
      writer.close();
      await expect(writer.synced()).resolves.toBeUndefined();
      expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(2);
    },
  );

  it('survives a crash mid-write: a torn last line is reported and skipped', async () => {
    const path = join(directory, 'attempt.jsonl');
    const writer = createTranscriptWriter({ path });
    writer.write({ type: 'user-message', turnIndex: 0, kind: 'instruction', content: 'one' });
    writer.write({ type: 'model-request', step: 0, messageCount: 2, estimatedPromptChars: 10 });
    // No close(): the process "died" while writing the next line.
    appendFileSync(path, '{"type":"model-response","sequence":2,"time":"2025-01-0');
    const { events, problems } = await readTranscript(path);
    expect(events.map((event) => event.type)).toEqual(['user-message', 'model-request']);
    expect(problems).toEqual([
      { line: 3, kind: 'torn-last-line', message: expect.stringContaining('incomplete') },
    ]);
  });

  it('reports invalid complete lines and sequence gaps without failing', () => {
    const good = (sequence: number) =>
      JSON.stringify({
        type: 'user-message',
        sequence,
        time: new Date().toISOString(),
        turnIndex: 0,
        kind: 'nudge',
        content: 'x',
      });
    const text = `${good(0)}\nnot json\n{"type":"user-message"}\n${good(2)}\n`;
    const { events, problems } = parseTranscript(text);
    expect(events).toHaveLength(2);
    expect(problems.map((problem) => [problem.line, problem.kind])).toEqual([
      [2, 'invalid-json'],
      [3, 'invalid-event'],
      [4, 'sequence-gap'],
    ]);
  });

  it('redacts secrets from every line, in the file and for listeners', async () => {
    const path = join(directory, 'attempt.jsonl');
    const seen: TranscriptEvent[] = [];
    const redact = (text: string) => text.replaceAll('sk-secret-123', '[REDACTED]');
    const writer = createTranscriptWriter({ path, redact, onEvent: (event) => seen.push(event) });
    writer.write({
      type: 'user-message',
      turnIndex: 0,
      kind: 'instruction',
      content: 'key sk-secret-123 here',
    });
    // A redactor that breaks the JSON falls back to redacting string values.
    const breaking = createTranscriptWriter({
      path: join(directory, 'b.jsonl'),
      redact: (text) => text.replaceAll('"', ''),
    });
    const stored = breaking.write({
      type: 'user-message',
      turnIndex: 0,
      kind: 'instruction',
      content: 'say "hi"',
    });
    writer.close();
    breaking.close();
    expect(readFileSync(path, 'utf8')).not.toContain('sk-secret-123');
    expect(seen[0]).toMatchObject({ content: 'key [REDACTED] here' });
    expect(stored).toMatchObject({ content: 'say hi' });
    const reread = await readTranscript(join(directory, 'b.jsonl'));
    expect(reread.problems).toEqual([]);
  });

  it('appends to an existing file and keeps in-memory transcripts without a path', () => {
    const memory = createTranscriptWriter();
    memory.write({ type: 'limit-reached', which: 'tokens', limit: 10, value: 12 });
    expect(memory.path).toBeNull();
    expect(memory.events).toHaveLength(1);
    const path = join(directory, 'existing.jsonl');
    writeFileSync(path, 'previous\n');
    const writer = createTranscriptWriter({ path });
    writer.write({ type: 'limit-reached', which: 'tokens', limit: 10, value: 12 });
    writer.close();
    expect(readFileSync(path, 'utf8').startsWith('previous\n{"type":"limit-reached"')).toBe(true);
  });
});
