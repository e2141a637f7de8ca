import { describe, expect, it } from 'vitest';
import { basicAuthorization, type ModelSpec, parseModelId, withoutUrlCredentials } from './model-id.ts';

const valid: Array<[string, ModelSpec]> = [
  [
    'ollama:qwen3.5:9b',
    {
      provider: 'ollama',
      model: 'qwen3.5:9b',
      baseUrl: 'http://127.0.0.1:11434',
      canonicalId: 'ollama:qwen3.5:9b',
    },
  ],
  [
    'ollama:qwen3.5:9b@http://gpu-box:11434/',
    {
      provider: 'ollama',
      model: 'qwen3.5:9b',
      baseUrl: 'http://gpu-box:11434',
      canonicalId: 'ollama:qwen3.5:9b@http://gpu-box:11434',
    },
  ],
  [
    'openai:o3-mini',
    {
      provider: 'openai',
      model: 'o3-mini',
      baseUrl: 'https://api.openai.com/v1',
      canonicalId: 'openai:o3-mini',
    },
  ],
  [
    'anthropic:claude-sonnet-4-5',
    {
      provider: 'anthropic',
      model: 'claude-sonnet-4-5',
      baseUrl: 'https://api.anthropic.com',
      canonicalId: 'anthropic:claude-sonnet-4-5',
    },
  ],
  [
    'openrouter:qwen/qwen3-coder',
    {
      provider: 'openrouter',
      model: 'qwen/qwen3-coder',
      baseUrl: 'https://openrouter.ai/api/v1',
      canonicalId: 'openrouter:qwen/qwen3-coder',
    },
  ],
  [
    'llamacpp:http://127.0.0.1:8080',
    {
      provider: 'llamacpp',
      model: 'default',
      baseUrl: 'http://127.0.0.1:8080',
      canonicalId: 'llamacpp:default',
    },
  ],
  [
    'llamacpp:qwen3@http://10.0.0.5:8081',
    {
      provider: 'llamacpp',
      model: 'qwen3',
      baseUrl: 'http://10.0.0.5:8081',
      canonicalId: 'llamacpp:qwen3@http://10.0.0.5:8081',
    },
  ],
  [
    'vllm:Qwen/Qwen3-8B@http://127.0.0.1:8000',
    {
      provider: 'vllm',
      model: 'Qwen/Qwen3-8B',
      baseUrl: 'http://127.0.0.1:8000',
      canonicalId: 'vllm:Qwen/Qwen3-8B@http://127.0.0.1:8000',
    },
  ],
  [
    'lmstudio:qwen3-8b',
    {
      provider: 'lmstudio',
      model: 'qwen3-8b',
      baseUrl: 'http://127.0.0.1:1234/v1',
      canonicalId: 'lmstudio:qwen3-8b',
    },
  ],
  [
    'openai-compatible:my-model@https://llm.example.com/v1',
    {
      provider: 'openai-compatible',
      model: 'my-model',
      baseUrl: 'https://llm.example.com/v1',
      canonicalId: 'openai-compatible:my-model@https://llm.example.com/v1',
    },
  ],
  [
    'gguf:./models/qwen3-8b-q4_k_m.gguf',
    {
      provider: 'gguf',
      model: './models/qwen3-8b-q4_k_m.gguf',
      baseUrl: null,
      canonicalId: 'gguf:./models/qwen3-8b-q4_k_m.gguf',
    },
  ],
  [
    '/models/Qwen3-8B-Q4_K_M.GGUF',
    {
      provider: 'gguf',
      model: '/models/Qwen3-8B-Q4_K_M.GGUF',
      baseUrl: null,
      canonicalId: 'gguf:/models/Qwen3-8B-Q4_K_M.GGUF',
    },
  ],
  [
    'C:\\models\\qwen.gguf',
    {
      provider: 'gguf',
      model: 'C:\\models\\qwen.gguf',
      baseUrl: null,
      canonicalId: 'gguf:C:\\models\\qwen.gguf',
    },
  ],
  [
    'simulated:scripted@http://127.0.0.1:40000',
    {
      provider: 'simulated',
      model: 'scripted',
      baseUrl: 'http://127.0.0.1:40000',
      canonicalId: 'simulated:scripted@http://127.0.0.1:40000',
    },
  ],
  [
    'hf:unsloth/Qwen3-8B-GGUF:Q4_K_M',
    {
      provider: 'gguf',
      model: 'hf:unsloth/Qwen3-8B-GGUF:Q4_K_M',
      baseUrl: null,
      canonicalId: 'hf:unsloth/Qwen3-8B-GGUF:Q4_K_M',
    },
  ],
  [
    'gguf:http://127.0.0.1:9000/tiny.gguf',
    {
      provider: 'gguf',
      model: 'http://127.0.0.1:9000/tiny.gguf',
      baseUrl: null,
      canonicalId: 'gguf:http://127.0.0.1:9000/tiny.gguf',
    },
  ],
];

describe('parseModelId', () => {
  for (const [id, expected] of valid) {
    it(`parses ${id}`, () => {
      expect(parseModelId(id)).toEqual(expected);
    });
  }

  const invalid: Array<[string, RegExp]> = [
    ['', /empty/],
    ['qwen3:8b', /unknown provider "qwen3"\. Valid providers: ollama, openai/],
    ['olama:qwen3.5:9b', /unknown provider "olama" \(did you mean "ollama"\?\)/],
    ['lamacpp:http://127.0.0.1:8080', /unknown provider "lamacpp" \(did you mean "llamacpp"\?\)/],
    ['gpt-4o', /no provider/],
    ['ollama:', /missing the model name/],
    ['openai-compatible:my-model', /missing the server URL/],
    ['vllm:@http://127.0.0.1:8000', /missing the model name/],
    ['gguf:', /missing the .gguf file path/],
    ['llamacpp:qwen@http://bad host', /invalid server URL/],
  ];
  for (const [id, message] of invalid) {
    it(`rejects ${JSON.stringify(id)}`, () => {
      expect(() => parseModelId(id)).toThrow(message);
    });
  }
});

describe('credentials in a server URL', () => {
  it('become Basic auth and leave the id, the base URL and the canonical id', () => {
    const spec = parseModelId('vllm:Qwen/Qwen3-8B@http://alice:p%40ss:word@10.0.0.5:8000/v1');
    expect(spec.baseUrl).toBe('http://10.0.0.5:8000/v1');
    expect(spec.canonicalId).toBe('vllm:Qwen/Qwen3-8B@http://10.0.0.5:8000/v1');
    expect(spec.basicAuth).toEqual({ username: 'alice', password: 'p@ss:word' });
    expect(basicAuthorization(spec.basicAuth!)).toBe(
      `Basic ${Buffer.from('alice:p@ss:word').toString('base64')}`,
    );
    expect(parseModelId('llamacpp:https://bob@gpu.example.com').basicAuth).toEqual({
      username: 'bob',
      password: '',
    });
    expect(parseModelId('ollama:qwen3.5:9b@http://host:11434').basicAuth).toBeUndefined();
  });

  it('are cut out of an id as written, which is otherwise kept', () => {
    expect(withoutUrlCredentials('ollama:qwen3.5:9b@http://u:p@host:11434')).toEqual({
      id: 'ollama:qwen3.5:9b@http://host:11434',
      basicAuth: { username: 'u', password: 'p' },
    });
    expect(withoutUrlCredentials('openai:o3-mini')).toEqual({ id: 'openai:o3-mini', basicAuth: null });
  });

  it('never appear in the error of an id that does not parse', () => {
    expect(() => parseModelId('vllm:@http://alice:secret@host:8000')).toThrow(/^(?![\s\S]*secret)/);
  });
});
