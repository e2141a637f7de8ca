import { close as closeDescriptor, fsync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { NewTranscriptEvent, TranscriptEvent } from './events.ts';

export interface TranscriptWriterOptions {
  /** JSONL file to append to (created with its folder). Omit for an in-memory transcript. */
  path?: string;
  /** Applied to every serialized line before it is written or handed to listeners (secrets out). */
  redact?: (text: string) => string;
  /** Called with each event as written (after redaction), for live progress or stores. */
  onEvent?: (event: TranscriptEvent) => void;
  /** Fsync after every event, not only at the end (slower; default false). */
  fsyncEveryEvent?: boolean;
}

/** Appends transcript events as they happen. */
export interface TranscriptWriter {
  /** The JSONL path, or null for an in-memory transcript. */
  readonly path: string | null;
  /** Stamps `sequence` and `time`, writes the line synchronously, and returns the event as stored. */
  write(event: NewTranscriptEvent): TranscriptEvent;
  /** Every event written so far (as stored, i.e. redacted). */
  readonly events: readonly TranscriptEvent[];
  /** Closes the file (once it is on disk, see `synced`); further writes throw. */
  close(): void;
  /**
   * Settles when every line written before the last `attempt-finished` or `close` is on disk (fsynced), rejecting
   * with the error of an fsync that failed.
   */
  synced(): Promise<void>;
}

/**
 * Creates an append-only JSONL transcript writer. Each event is one line written with a synchronous write, so a
 * crash or `kill -9` loses nothing already written; the file is fsynced after `attempt-finished` and at close,
 * off the main thread (an fsync took 1-8 ms of the event loop, delaying other attempts' model requests): `synced`
 * tells when that is done, and the file is closed after it.
 */
export function createTranscriptWriter(options: TranscriptWriterOptions = {}): TranscriptWriter {
  const path = options.path ?? null;
  let descriptor: number | null = null;
  if (path) {
    mkdirSync(dirname(path), { recursive: true });
    descriptor = openSync(path, 'a');
  }
  const events: TranscriptEvent[] = [];
  let sequence = 0;
  let closed = false;
  /** Lines written since the last fsync began. */
  let unsynced = false;
  let syncing: Promise<void> = Promise.resolve();

  function syncInBackground(descriptor: number): void {
    unsynced = false;
    syncing = syncing.then(
      () =>
        new Promise<void>((resolve, reject) =>
          fsync(descriptor, (error) => (error ? reject(error) : resolve())),
        ),
    );
    // Failures are reported through `synced()`; this only keeps an unobserved one from crashing the process.
    syncing.catch(() => undefined);
  }

  function write(input: NewTranscriptEvent): TranscriptEvent {
    if (closed) throw new Error(`Transcript writer is closed${path ? ` (${path})` : ''}`);
    const event = { ...input, sequence: sequence++, time: new Date().toISOString() } as TranscriptEvent;
    const { line, stored } = serialize(event, options.redact);
    if (descriptor !== null) {
      writeFully(descriptor, `${line}\n`);
      unsynced = true;
      if (options.fsyncEveryEvent) {
        fsyncSync(descriptor);
        unsynced = false;
      } else if (event.type === 'attempt-finished') syncInBackground(descriptor);
    }
    events.push(stored);
    options.onEvent?.(stored);
    return stored;
  }

  function close(): void {
    if (closed) return;
    closed = true;
    if (descriptor !== null) {
      const open = descriptor;
      descriptor = null;
      if (unsynced) syncInBackground(open);
      const closing = syncing.finally(
        () => new Promise<void>((resolve) => closeDescriptor(open, () => resolve())),
      );
      closing.catch(() => undefined);
      syncing = closing;
    }
  }

  return { path, write, events, close, synced: () => syncing };
}

/**
 * Serializes one event. Redaction runs on the serialized line; when it breaks the JSON (a secret spanning an
 * escape), every string value is redacted instead, so the line always stays valid.
 */
function serialize(
  event: TranscriptEvent,
  redact: ((text: string) => string) | undefined,
): { line: string; stored: TranscriptEvent } {
  const line = JSON.stringify(event);
  if (!redact) return { line, stored: event };
  const redacted = redact(line);
  if (redacted === line) return { line, stored: event };
  try {
    return { line: redacted, stored: JSON.parse(redacted) as TranscriptEvent };
  } catch {
    const stored = redactStrings(event, redact) as TranscriptEvent;
    return { line: JSON.stringify(stored), stored };
  }
}

function redactStrings(value: unknown, redact: (text: string) => string): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map((item) => redactStrings(item, redact));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactStrings(item, redact)]));
  }
  return value;
}

function writeFully(descriptor: number, text: string): void {
  const buffer = Buffer.from(text, 'utf8');
  let offset = 0;
  while (offset < buffer.length) {
    offset += writeSync(descriptor, buffer, offset, buffer.length - offset);
  }
}
