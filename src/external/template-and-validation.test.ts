import { describe, expect, it } from 'vitest';
import { renderCommandTemplate, renderEnvironmentTemplate } from './command-template.ts';
import { toolResultErrorReason } from './tool-result-error.ts';
import { validateDeclaredArguments } from './validate-declared-arguments.ts';

const values = { instructionFile: '/b/i.md', instruction: "it's done", model: 'qwen3:8b', workspace: '/w' };

describe('command templates', () => {
  it('shell-quotes static values and defers run-time ones to the bridge', () => {
    expect(
      renderCommandTemplate(
        `aider --model openai/{model} --message-file {instruction_file} -m {instruction} --url {base_url} \${HOME}`,
        values,
      ),
    ).toBe(
      `aider --model openai/'qwen3:8b' --message-file '/b/i.md' -m 'it'\\''s done' --url "\${SHAKEDOWN_BASE_URL}" \${HOME}`,
    );
    expect(renderEnvironmentTemplate({ A: '{base_url}', B: 'm={model}' }, values)).toEqual({
      A: '{base_url}',
      B: 'm=qwen3:8b',
    });
  });

  it('rejects unknown placeholders', () => {
    expect(() => renderCommandTemplate('agent {instructions_file}', values)).toThrow(
      /unknown placeholder \{instructions_file\}/,
    );
    expect(() => renderEnvironmentTemplate({ X: '{nope}' }, values)).toThrow(/environment variable X/);
  });
});

describe('validateDeclaredArguments', () => {
  const schema = {
    type: 'object',
    properties: {
      path: { type: 'string' },
      lines: { type: 'array', items: { type: 'integer' } },
      mode: { enum: ['a', 'b'] },
    },
    required: ['path'],
    additionalProperties: false,
  };
  it('accepts valid arguments and ignores keywords it does not judge', () => {
    expect(validateDeclaredArguments({ path: 'x', lines: [1, 2], mode: 'a' }, schema)).toEqual([]);
    expect(
      validateDeclaredArguments({ anything: 1 }, { type: 'object', properties: {}, $ref: '#/x' }),
    ).toEqual([]);
  });
  it('names missing, unexpected, wrong-type and out-of-enum arguments', () => {
    expect(validateDeclaredArguments({ lines: [1, 'two'], mode: 'c', extra: true }, schema)).toEqual([
      'missing required argument path',
      'argument lines[1] must be integer, got string',
      'argument mode must be one of "a", "b"',
      'unexpected argument extra',
    ]);
  });
});

describe('toolResultErrorReason (best effort)', () => {
  it('recognizes common failure shapes and leaves ordinary output alone', () => {
    expect(toolResultErrorReason('Error: file not found')).toBe('Error: file not found');
    expect(toolResultErrorReason('x\nTraceback (most recent call last):\n  File')).toContain('traceback');
    expect(toolResultErrorReason('{"error": "boom"}')).not.toBeNull();
    expect(toolResultErrorReason('Command exited with code 2')).toContain('exit code 2');
    expect(toolResultErrorReason('def handle_error():\n    pass')).toBeNull();
    expect(toolResultErrorReason('{"error": null, "ok": true}')).toBeNull();
    expect(toolResultErrorReason('exit code 0')).toBeNull();
  });
});
