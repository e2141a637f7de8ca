import { describe, expect, it } from 'vitest';
import { REDACTED, redactSecrets } from './redact-secrets.ts';

describe('redactSecrets', () => {
  const cases: Array<[string, string, string[], string]> = [
    ['a given secret', 'key is abc123secretXYZ here', ['abc123secretXYZ'], `key is ${REDACTED} here`],
    ['every occurrence', 'tok1234567 and tok1234567', ['tok1234567'], `${REDACTED} and ${REDACTED}`],
    [
      'OpenAI-style keys',
      'HTTP 401: Incorrect API key provided: sk-proj-AbC123dEf456',
      [],
      `HTTP 401: Incorrect API key provided: ${REDACTED}`,
    ],
    ['Anthropic keys', 'x sk-ant-api03-ZZZZZZZZZZZZ y', [], `x ${REDACTED} y`],
    [
      'Bearer tokens',
      'Authorization: Bearer eyJhbGciOi.payload.sig',
      [],
      `Authorization: Bearer ${REDACTED}`,
    ],
    ['api key assignments', '{"api_key": "hunter2hunter2"}', [], `{"api_key": "${REDACTED}"}`],
    ['x-api-key headers', 'x-api-key: abcdefghijkl', [], `x-api-key: ${REDACTED}`],
    ['regex characters in secrets', 'p(a+s)s.word!', ['(a+s)s.word'], `p${REDACTED}!`],
    ['short or empty secrets are ignored', 'the cat sat', ['', 'cat'], 'the cat sat'],
    ['plain text is untouched', 'risk-free task skipped', [], 'risk-free task skipped'],
    [
      'credentials in URLs',
      'cannot reach http://alice:pa%40ss@host:8000/v1 or https://bob@proxy.example.com',
      [],
      'cannot reach http://host:8000/v1 or https://proxy.example.com',
    ],
    [
      'URLs without credentials are untouched',
      'vllm:m@http://host:8000/v1',
      [],
      'vllm:m@http://host:8000/v1',
    ],
  ];
  for (const [name, input, secrets, expected] of cases) {
    it(`redacts ${name}`, () => {
      expect(redactSecrets(input, secrets)).toBe(expected);
    });
  }

  it('accepts undefined entries (unset environment variables)', () => {
    expect(redactSecrets('value secretvalue', [undefined, 'secretvalue'])).toBe(`value ${REDACTED}`);
  });
});
