import { describe, expect, it } from 'vitest';
import { redactText, redactValue } from './redact-value.ts';

describe('redactValue', () => {
  it('removes keys that look like secrets and key-named values, keeping env-var names and numbers', () => {
    const redacted = redactValue({
      models: [{ id: 'openai:o3-mini', apiKeyEnv: 'OPENAI_API_KEY', apiKey: 'abc123def456' }],
      headers: { Authorization: 'Bearer abcdef123456' },
      note: 'use sk-test-1234567890 please',
      limits: { maxTotalTokens: 50000 },
      token: '',
      secrets: ['sk-proj-aaaaaaaaaaaa'],
    });
    expect(redactValue(redacted)).toEqual(redacted);
    expect(redacted).toEqual({
      models: [{ id: 'openai:o3-mini', apiKeyEnv: 'OPENAI_API_KEY', apiKey: '[REDACTED]' }],
      headers: { Authorization: '[REDACTED]' },
      note: 'use [REDACTED] please',
      limits: { maxTotalTokens: 50000 },
      token: '',
      secrets: ['[REDACTED]'],
    });
  });

  it('redacts free text and keeps null', () => {
    expect(redactText('401: Bearer sk-test-123 rejected')).not.toContain('sk-test-123');
    expect(redactText(undefined)).toBeNull();
  });
});

describe('redactValue without key names', () => {
  it('keeps schema fields whose names contain "token" but still removes key-shaped text', () => {
    const event = { sources: { timeToFirstToken: 'measured' }, content: 'export KEY=sk-test-1234567890' };
    expect(redactValue(event, { byKeyName: false })).toEqual({
      sources: { timeToFirstToken: 'measured' },
      content: 'export KEY=[REDACTED]',
    });
    expect(redactValue(event).sources.timeToFirstToken).toBe('[REDACTED]');
  });
});
