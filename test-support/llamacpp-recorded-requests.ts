/**
 * The requests whose real llama-server responses are kept as fixtures (test-support/fixtures/llamacpp/), recorded
 * by scripts/refresh-llamacpp-fixtures.ts against the tiny random-weight model with the Qwen tool template.
 */

/** One recorded request, and (once recorded) what the server answered. */
export interface RecordedRequest {
  /** The fixture file, under test-support/fixtures/llamacpp/. */
  file: string;
  method: 'GET' | 'POST';
  path: string;
  body?: Record<string, unknown>;
  /** What the request shows. */
  about: string;
  /**
   * Steer the random model into opening a tool call: llama-server's grammar for `tool_choice: required` lets free
   * content come first, so logit biases on `<tool_call>`, `\n` and the end of turn (token ids from the server's own
   * tokenizer) are added when recording; the call's name and arguments are still the grammar's doing.
   */
  steerToolCall?: boolean;
}

export interface RecordedFixture extends RecordedRequest {
  status: number;
  contentType: string;
}

const WEATHER_TOOL = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Get the current weather for a city.',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string', enum: ['Paris', 'Oslo'] } },
      required: ['city'],
      additionalProperties: false,
    },
  },
};

const MESSAGES = [
  { role: 'system', content: 'You are a helpful assistant.' },
  { role: 'user', content: 'What is the weather in Paris?' },
];

const STREAMED = { stream: true, stream_options: { include_usage: true }, temperature: 0, seed: 1 };

export const RECORDED_REQUESTS: readonly RecordedRequest[] = [
  { file: 'models.json', method: 'GET', path: '/v1/models', about: 'the model list: name, aliases, meta' },
  { file: 'props.json', method: 'GET', path: '/props', about: 'per-slot n_ctx, total_slots, chat template' },
  {
    file: 'chat-stream-text.sse',
    method: 'POST',
    path: '/v1/chat/completions',
    body: { model: 'default', messages: MESSAGES, max_tokens: 8, ignore_eos: true, ...STREAMED },
    about: 'a streamed text answer cut at max_tokens: timings on the last choice chunk, then a usage chunk',
  },
  {
    file: 'chat-stream-text-again.sse',
    method: 'POST',
    path: '/v1/chat/completions',
    body: { model: 'default', messages: MESSAGES, max_tokens: 8, ignore_eos: true, ...STREAMED },
    about: 'the same request again: cached prompt tokens in usage and timings.cache_n',
  },
  {
    file: 'chat-stream-tool-call.sse',
    method: 'POST',
    path: '/v1/chat/completions',
    body: {
      model: 'default',
      messages: MESSAGES,
      tools: [WEATHER_TOOL],
      tool_choice: 'required',
      max_tokens: 600,
      ...STREAMED,
    },
    about: 'tool_choice required: the grammar forces a call, streamed as tool_calls deltas',
    steerToolCall: true,
  },
  {
    file: 'chat-stream-leaked-tool-call.sse',
    method: 'POST',
    path: '/v1/chat/completions',
    body: {
      model: 'default',
      messages: MESSAGES,
      tools: [WEATHER_TOOL],
      tool_choice: 'none',
      grammar: `root ::= ${JSON.stringify('<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>')}`,
      max_tokens: 200,
      ...STREAMED,
    },
    about: 'tool_choice none and a grammar: a Hermes tool call left in the content, unparsed',
  },
  {
    file: 'chat-context-exceeded.json',
    method: 'POST',
    path: '/v1/chat/completions',
    body: {
      model: 'default',
      messages: [{ role: 'user', content: 'lorem ipsum dolor sit amet '.repeat(400) }],
      max_tokens: 4,
      ...STREAMED,
    },
    about: 'a prompt longer than a slot: HTTP 400 exceed_context_size_error with n_prompt_tokens and n_ctx',
  },
];
