import { describe, expect, it } from 'vitest';
import { encodeRequest, FrameReader, MAX_FRAME_CHARS, MalformedFrameError } from './exec-protocol.ts';

const exit = { type: 'exit', id: 1, exitCode: 0, signal: null, timedOut: false, outputTruncated: false };
const line = (value: unknown) => `${JSON.stringify(value)}\n`;

describe('exec server framing', () => {
  it('reads several frames from one chunk and one frame from many chunks', () => {
    const reader = new FrameReader();
    expect(reader.push(line({ type: 'ready', pid: 7 }) + line(exit))).toEqual([
      { type: 'ready', pid: 7 },
      exit,
    ]);
    const output = line({
      type: 'output',
      id: 1,
      stream: 'stdout',
      data: Buffer.from('hi').toString('base64'),
    });
    const pieces = [output.slice(0, 5), output.slice(5, 20), output.slice(20)];
    expect(reader.push(pieces[0]!)).toEqual([]);
    expect(reader.push(pieces[1]!)).toEqual([]);
    expect(reader.push(pieces[2]!)).toEqual([{ type: 'output', id: 1, stream: 'stdout', data: 'aGk=' }]);
    expect(() => reader.end()).not.toThrow();
  });

  it('joins a UTF-8 character split across chunks', () => {
    const reader = new FrameReader();
    const bytes = Buffer.from(line({ type: 'error', message: 'héllo ✓' }));
    const split = bytes.indexOf(Buffer.from('✓')) + 1;
    expect(reader.push(bytes.subarray(0, split))).toEqual([]);
    expect(reader.push(bytes.subarray(split))).toEqual([{ type: 'error', message: 'héllo ✓' }]);
  });

  it("reads the host command server's started frame", () => {
    expect(new FrameReader().push(line({ type: 'started', id: 3 }) + line(exit))).toEqual([
      { type: 'started', id: 3 },
      exit,
    ]);
    expect(() => new FrameReader().push(line({ type: 'started' }))).toThrow(MalformedFrameError);
  });

  it('skips blank lines', () => {
    expect(new FrameReader().push(`\n \n${line(exit)}`)).toEqual([exit]);
  });

  it.each([
    ['not JSON', 'garbage from a broken server\n', /^not JSON: "garbage from a broken server"$/],
    ['an unknown message type', line({ type: 'hello' }), /^not a server message/],
    ['a field of the wrong type', line({ ...exit, exitCode: 'zero' }), /^not a server message \(exitCode: /],
    ['a missing field', line({ type: 'exit', id: 1 }), /^not a server message/],
    ['output that is not base64', line({ type: 'output', id: 1, stream: 'stdout', data: '!!' }), /data/],
    ['an unknown stream', line({ type: 'output', id: 1, stream: 'fd3', data: '' }), /stream/],
  ])('rejects %s with a one-line reason', (_, text, reason) => {
    const reader = new FrameReader();
    let error: unknown;
    try {
      reader.push(text);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(MalformedFrameError);
    expect((error as Error).message).toMatch(reason);
    expect((error as Error).message).not.toContain('\n');
  });

  it('rejects a frame cut off by the end of the stream, and an endless line', () => {
    const cut = new FrameReader();
    cut.push('{"type":"ready"');
    expect(() => cut.end()).toThrow(/^the stream ended inside a frame/);
    const endless = new FrameReader();
    expect(() => endless.push('x'.repeat(MAX_FRAME_CHARS + 1))).toThrow(/^a line longer than/);
  });

  it('encodes a request as one line, whatever the command holds', () => {
    const encoded = encodeRequest({
      type: 'exec',
      id: 3,
      command: 'printf "a\\nb"\necho done',
      cwd: '/w',
      env: { PATH: '/usr/bin' },
      outputLimitBytes: 10,
    });
    expect(encoded.endsWith('\n')).toBe(true);
    expect(encoded.slice(0, -1)).not.toContain('\n');
    expect(JSON.parse(encoded)).toMatchObject({ command: 'printf "a\\nb"\necho done' });
  });
});
