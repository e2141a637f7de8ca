import { readFile } from 'node:fs/promises';
import { parseEvent, type TranscriptEvent } from './events.ts';

/** A line of a transcript that was skipped, and why. */
export interface TranscriptProblem {
  /** 1-based line number. */
  line: number;
  /**
   * `torn-last-line`: the final line was cut off mid-write (a crash); `invalid-json` / `invalid-event`: a complete
   * line that is not JSON or not a valid event; `sequence-gap`: an event's sequence is not the one expected.
   */
  kind: 'torn-last-line' | 'invalid-json' | 'invalid-event' | 'sequence-gap';
  message: string;
}

/** The events of a transcript, and the problems met reading it. */
export interface ReadTranscriptResult {
  events: TranscriptEvent[];
  problems: TranscriptProblem[];
}

/** Reads and validates a JSONL transcript. Bad lines are reported and skipped; nothing is fatal but a missing file. */
export async function readTranscript(path: string): Promise<ReadTranscriptResult> {
  return parseTranscript(await readFile(path, 'utf8'));
}

/** Parses JSONL transcript text (see `readTranscript`). */
export function parseTranscript(text: string): ReadTranscriptResult {
  const events: TranscriptEvent[] = [];
  const problems: TranscriptProblem[] = [];
  const lines = text.split('\n');
  const endsWithNewline = text.endsWith('\n');
  if (endsWithNewline) lines.pop();
  lines.forEach((raw, index) => {
    const lineNumber = index + 1;
    const line = raw.trim();
    if (line === '') return;
    const isLast = index === lines.length - 1;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (error) {
      if (isLast && !endsWithNewline) {
        problems.push({
          line: lineNumber,
          kind: 'torn-last-line',
          message: `last line is incomplete (${line.length} characters, the write was interrupted); skipped`,
        });
      } else {
        problems.push({ line: lineNumber, kind: 'invalid-json', message: (error as Error).message });
      }
      return;
    }
    try {
      const event = parseEvent(json);
      const expected = events.length === 0 ? 0 : events[events.length - 1]!.sequence + 1;
      if (event.sequence !== expected) {
        problems.push({
          line: lineNumber,
          kind: 'sequence-gap',
          message: `expected sequence ${expected}, found ${event.sequence}`,
        });
      }
      events.push(event);
    } catch (error) {
      problems.push({ line: lineNumber, kind: 'invalid-event', message: (error as Error).message });
    }
  });
  return { events, problems };
}
