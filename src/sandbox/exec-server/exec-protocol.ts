import { StringDecoder } from 'node:string_decoder';
import { z } from 'zod';

/**
 * The host's side of the exec server's protocol (exec-server.mjs): newline-delimited JSON, one message per line,
 * requests to the server's stdin, replies from its stdout. Output bytes travel base64-encoded.
 */

/** One command for the server: `bash -c command` (or `argv` run directly, no bash) in `cwd` with exactly `env`. */
export interface ExecRequest {
  type: 'exec';
  id: number;
  command?: string;
  /** Program and arguments to run directly instead of `command` (the program is looked up on env.PATH). */
  argv?: string[];
  /** Absolute working directory inside the sandbox. */
  cwd: string;
  env: Record<string, string>;
  stdin?: string;
  timeoutMs?: number;
  outputLimitBytes: number;
}

/** Ends a running command's process group (an abort). */
export interface KillRequest {
  type: 'kill';
  id: number;
}

const readyMessageSchema = z.object({ type: z.literal('ready'), pid: z.number().int().positive() });
const outputMessageSchema = z.object({
  type: z.literal('output'),
  id: z.number().int(),
  stream: z.enum(['stdout', 'stderr']),
  data: z.base64(),
});
const exitMessageSchema = z.object({
  type: z.literal('exit'),
  id: z.number().int(),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  timedOut: z.boolean(),
  outputTruncated: z.boolean(),
});
const errorMessageSchema = z.object({ type: z.literal('error'), message: z.string() });
/** Sent for an `argv` request once its program is spawned (before that, a dying server never ran it). */
const startedMessageSchema = z.object({ type: z.literal('started'), id: z.number().int() });

/** Zod schema of every message the server sends. */
export const serverMessageSchema = z.discriminatedUnion('type', [
  readyMessageSchema,
  outputMessageSchema,
  exitMessageSchema,
  errorMessageSchema,
  startedMessageSchema,
]);
export type ServerMessage = z.infer<typeof serverMessageSchema>;
export type ExitMessage = z.infer<typeof exitMessageSchema>;

/** One line of the request stream. */
export function encodeRequest(request: ExecRequest | KillRequest): string {
  return `${JSON.stringify(request)}\n`;
}

/** Longest line accepted from the server (an output frame holds one pipe read, 64 KiB, base64-encoded). */
export const MAX_FRAME_CHARS = 1024 * 1024;

/** A line that is not a valid server message, with a one-line reason. */
export class MalformedFrameError extends Error {
  constructor(reason: string, line: string) {
    super(`${reason}: ${JSON.stringify(line.length > 80 ? `${line.slice(0, 80)}...` : line)}`);
    this.name = 'MalformedFrameError';
  }
}

/**
 * Splits the server's stdout into lines across chunk boundaries (a frame, or a UTF-8 character, may arrive in
 * pieces) and validates each one: `push` returns the complete messages of a chunk and throws MalformedFrameError at
 * the first line that is not JSON, not a known message, or longer than MAX_FRAME_CHARS.
 */
export class FrameReader {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';

  push(chunk: Buffer | string): ServerMessage[] {
    this.pending += typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    const messages: ServerMessage[] = [];
    let newline = this.pending.indexOf('\n');
    while (newline >= 0) {
      const line = this.pending.slice(0, newline);
      this.pending = this.pending.slice(newline + 1);
      if (line.trim() !== '') messages.push(parseFrame(line));
      newline = this.pending.indexOf('\n');
    }
    if (this.pending.length > MAX_FRAME_CHARS) {
      throw new MalformedFrameError(`a line longer than ${MAX_FRAME_CHARS} characters`, this.pending);
    }
    return messages;
  }

  /** What is left when the stream ends: an unfinished frame is an error. */
  end(): void {
    const rest = this.pending + this.decoder.end();
    this.pending = '';
    if (rest.trim() !== '') throw new MalformedFrameError('the stream ended inside a frame', rest);
  }
}

function parseFrame(line: string): ServerMessage {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new MalformedFrameError('not JSON', line);
  }
  const parsed = serverMessageSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new MalformedFrameError(
      `not a server message (${issue?.path.join('.') || 'message'}: ${issue?.message ?? 'invalid'})`,
      line,
    );
  }
  return parsed.data;
}
