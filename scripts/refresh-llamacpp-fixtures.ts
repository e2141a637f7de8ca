/**
 * Records raw responses of a real llama-server into test-support/fixtures/llamacpp/, with their provenance in
 * fixtures.json (llama.cpp commit, command line, date, each request). The provider tests replay these bytes, and
 * the simulated llama.cpp server is checked against them. Run: `npm run fixtures:llamacpp` (needs
 * `npm run llama-server:build` first).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import {
  LLAMA_SERVER,
  type RunningLlamaServer,
  startLlamaServer,
  writeTinyToolModel,
} from '../test-support/llama-server-process.ts';
import { RECORDED_REQUESTS, type RecordedFixture } from '../test-support/llamacpp-recorded-requests.ts';

const FIXTURES = resolve(import.meta.dirname, '../test-support/fixtures/llamacpp');
const MODEL_OPTIONS = { contextLength: 4096 } as const;

/** Logit biases that make the random model open a tool call (see `steerToolCall`), from the server's tokenizer. */
async function toolCallSteering(server: RunningLlamaServer): Promise<Record<string, unknown>> {
  const response = await fetch(`${server.url}/tokenize`, {
    method: 'POST',
    body: JSON.stringify({ content: '<tool_call>\n<|im_end|>', parse_special: true }),
  });
  const { tokens } = (await response.json()) as { tokens: number[] };
  if (tokens.length !== 3)
    throw new Error(`expected 3 tokens for <tool_call>, \\n, <|im_end|>; got ${tokens}`);
  const [toolCall, newline, endOfTurn] = tokens;
  return {
    logit_bias: [
      [toolCall, 100],
      [newline, 150],
      [endOfTurn, 300],
    ],
    presence_penalty: 100,
  };
}

async function record(server: RunningLlamaServer): Promise<RecordedFixture[]> {
  const recorded: RecordedFixture[] = [];
  const steering = await toolCallSteering(server);
  for (const planned of RECORDED_REQUESTS) {
    const request =
      planned.steerToolCall && planned.body
        ? { ...planned, body: { ...planned.body, ...steering } }
        : planned;
    const response = await fetch(`${server.url}${request.path}`, {
      method: request.method,
      headers: request.body === undefined ? {} : { 'content-type': 'application/json' },
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
    });
    const bytes = Buffer.from(await response.arrayBuffer());
    await writeFile(join(FIXTURES, request.file), bytes);
    recorded.push({
      ...request,
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
    });
    process.stderr.write(`recorded ${request.file} (HTTP ${response.status}, ${bytes.length} bytes)\n`);
  }
  return recorded;
}

async function main(): Promise<void> {
  if (LLAMA_SERVER.path === null) throw new Error(`${LLAMA_SERVER.missing}`);
  await mkdir(FIXTURES, { recursive: true });
  const model = await writeTinyToolModel(MODEL_OPTIONS);
  const server = await startLlamaServer({ modelPath: model.path, contextSize: 4096, parallel: 2 });
  try {
    const fixtures = await record(server);
    const manifest = {
      note: 'Raw responses of a real llama-server, recorded by scripts/refresh-llamacpp-fixtures.ts; do not edit.',
      llamaCppCommit: LLAMA_SERVER.commit,
      commandLine: server.commandLine.map((part, index) =>
        index === 0 ? 'llama-server' : part === model.path ? basename(model.path) : part,
      ),
      model: {
        file: basename(model.path),
        generator: 'writeTinyRandomModel (test-support/tiny-model.ts)',
        options: { chatTemplate: 'qwen-tools', ...MODEL_OPTIONS },
      },
      recordedAt: new Date().toISOString(),
      fixtures,
    };
    await writeFile(join(FIXTURES, 'fixtures.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  } finally {
    await server.stop();
    await model.remove();
  }
}

await main();
