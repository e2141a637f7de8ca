#!/usr/bin/env node
/**
 * mini-agent: a tiny but real command-line coding agent, used to test shakedown's external-agent support end to
 * end. No dependencies (plain fetch). It speaks the OpenAI chat-completions API at $OPENAI_BASE_URL, declares
 * read_file / write_file / run tools, executes the model's calls itself in its working directory, and exits 0 when
 * the model answers without calling a tool.
 *
 *   node mini-agent.mjs --model NAME --instruction-file FILE [--stream] [--max-steps N]
 *
 * Exit status: 0 done; 1 the model server answered an HTTP error or could not be reached; 2 step budget exhausted;
 * 3 bad usage.
 */
import { execSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

function usage(message) {
  process.stderr.write(
    `mini-agent: ${message}\nusage: mini-agent.mjs --model NAME --instruction-file FILE [--stream] [--max-steps N]\n`,
  );
  process.exit(3);
}

const options = { model: null, instructionFile: null, stream: false, maxSteps: 30 };
const argv = process.argv.slice(2);
for (let index = 0; index < argv.length; index++) {
  const flag = argv[index];
  if (flag === '--model') options.model = argv[++index];
  else if (flag === '--instruction-file') options.instructionFile = argv[++index];
  else if (flag === '--stream') options.stream = true;
  else if (flag === '--max-steps') options.maxSteps = Number(argv[++index]);
  else usage(`unknown argument ${flag}`);
}
if (!options.model || !options.instructionFile) usage('--model and --instruction-file are required');
const baseUrl = (process.env.OPENAI_BASE_URL ?? '').replace(/\/+$/, '');
if (!baseUrl) usage('OPENAI_BASE_URL is not set');

const TOOLS = [
  {
    type: 'function',
    function: {
      name: 'read_file',
      description: 'Read a text file of the project.',
      parameters: {
        type: 'object',
        properties: { path: { type: 'string', description: 'Path relative to the project root' } },
        required: ['path'],
        additionalProperties: false,
      },
    },
  },
  {
    type: 'function',
    function: {
      name: 'write_file',
      description: 'Write (create or replace) a text file of the project.',
      parameters: {
        type: 'object',
        properties: { path: { type: 'string' }, content: { type: 'string' } },
        required: ['path', 'content'],
        additionalProperties: false,
      },
    },
  },
  {
    type: 'function',
    function: {
      name: 'run',
      description: 'Run a shell command in the project root and return its output.',
      parameters: {
        type: 'object',
        properties: { command: { type: 'string' } },
        required: ['command'],
        additionalProperties: false,
      },
    },
  },
];

function runTool(name, rawArguments) {
  let args;
  try {
    args = rawArguments.trim() === '' ? {} : JSON.parse(rawArguments);
  } catch (error) {
    return `Error: the arguments are not valid JSON (${error.message})`;
  }
  try {
    switch (name) {
      case 'read_file':
        return readFileSync(String(args.path), 'utf8');
      case 'write_file':
        writeFileSync(String(args.path), String(args.content));
        return `wrote ${String(args.content).length} characters to ${args.path}`;
      case 'run':
        return execSync(String(args.command), {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
          timeout: 60_000,
        });
      default:
        return `Error: unknown tool ${name}`;
    }
  } catch (error) {
    const output = [error.stdout, error.stderr].filter(Boolean).join('\n');
    return `Error: ${name} failed: ${error.message}${output ? `\n${output}` : ''}`;
  }
}

async function post(body) {
  let response;
  try {
    response = await fetch(`${baseUrl}/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${process.env.OPENAI_API_KEY ?? ''}`,
      },
      body: JSON.stringify(body),
    });
  } catch (error) {
    process.stderr.write(`mini-agent: cannot reach ${baseUrl}: ${error.cause?.message ?? error.message}\n`);
    process.exit(1);
  }
  if (!response.ok) {
    process.stderr.write(`mini-agent: HTTP ${response.status}: ${await response.text()}\n`);
    process.exit(1);
  }
  return response;
}

/** Reads an SSE stream of chat.completion.chunk objects into one assistant message. */
async function readStream(response) {
  const message = { role: 'assistant', content: '', tool_calls: [] };
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const bytes of response.body) {
    buffer += decoder.decode(bytes, { stream: true });
    let boundary = buffer.indexOf('\n\n');
    while (boundary !== -1) {
      const event = buffer.slice(0, boundary);
      buffer = buffer.slice(boundary + 2);
      boundary = buffer.indexOf('\n\n');
      for (const line of event.split('\n')) {
        if (!line.startsWith('data:')) continue;
        const data = line.slice(5).trim();
        if (data === '[DONE]') continue;
        const chunk = JSON.parse(data);
        const delta = chunk.choices?.[0]?.delta;
        if (!delta) continue;
        if (typeof delta.content === 'string') message.content += delta.content;
        for (const call of delta.tool_calls ?? []) {
          if (!message.tool_calls[call.index]) {
            message.tool_calls[call.index] = {
              id: '',
              type: 'function',
              function: { name: '', arguments: '' },
            };
          }
          const slot = message.tool_calls[call.index];
          if (call.id) slot.id = call.id;
          if (call.function?.name) slot.function.name += call.function.name;
          if (call.function?.arguments) slot.function.arguments += call.function.arguments;
        }
      }
    }
  }
  return message;
}

const messages = [
  {
    role: 'system',
    content: 'You are a coding agent. Use the tools to change the project, then answer with a short summary.',
  },
  { role: 'user', content: readFileSync(options.instructionFile, 'utf8') },
];
for (let step = 0; step < options.maxSteps; step++) {
  const body = { model: options.model, messages, tools: TOOLS };
  if (options.stream) Object.assign(body, { stream: true, stream_options: { include_usage: true } });
  const response = await post(body);
  const message = options.stream ? await readStream(response) : (await response.json()).choices[0].message;
  const calls = message.tool_calls ?? [];
  messages.push({
    role: 'assistant',
    content: message.content ?? '',
    ...(calls.length > 0 ? { tool_calls: calls } : {}),
  });
  if (calls.length === 0) {
    process.stdout.write(`${message.content ?? ''}\n`);
    process.exit(0);
  }
  for (const call of calls) {
    const result = runTool(call.function.name, call.function.arguments);
    process.stdout.write(`[${call.function.name}] ${result.split('\n', 1)[0]}\n`);
    messages.push({ role: 'tool', tool_call_id: call.id, content: result });
  }
}
process.stderr.write(`mini-agent: gave up after ${options.maxSteps} steps\n`);
process.exit(2);
