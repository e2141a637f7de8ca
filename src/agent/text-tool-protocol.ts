import { extractToolCallsFromText } from '../providers/tool-call-recovery.ts';
import type { ToolCall, ToolDefinition } from '../providers/types.ts';
import type { ToolProtocol } from './tool-protocol.ts';

interface TextProtocolShape {
  name: 'hermes' | 'xml';
  describeTools(tools: ToolDefinition[]): string;
  renderCall(call: ToolCall): string;
  reminder: string;
}

/**
 * A protocol where tools are described in the system prompt and calls are written as text. Calls are parsed with
 * `extractToolCallsFromText` and tagged origin `text-protocol`; calls the client already recovered from the text
 * (they look like leaks) are re-tagged the same way. Results go back in one user message of `<tool_response>`
 * blocks, as the Hermes and Qwen chat templates do.
 */
function createTextToolProtocol(shape: TextProtocolShape): ToolProtocol {
  return {
    name: shape.name,
    systemPrompt: (basePrompt, tools) => `${basePrompt}\n\n${shape.describeTools(tools)}`,
    requestTools: () => undefined,
    interpret(result, step) {
      const extracted = extractToolCallsFromText(result.text);
      const fromClient = result.toolCalls.map((call) =>
        call.origin === 'recovered' ? { ...call, origin: 'text-protocol' as const } : call,
      );
      const fromText = extracted.calls.map(
        (call, index): ToolCall => ({ ...call, id: `call_${step}_${index}`, origin: 'text-protocol' }),
      );
      const calls = [...fromClient, ...fromText];
      // Keep the model's own words verbatim; calls the client cut out are written back in canonical form.
      const rendered = fromClient.map((call) => shape.renderCall(call));
      const content = [result.text, ...rendered].filter((part) => part.trim() !== '').join('\n');
      return {
        calls,
        text: extracted.remainingText.trim(),
        errors: extracted.errors,
        assistantMessage: { role: 'assistant', content },
      };
    },
    resultMessages(results) {
      if (results.length === 0) return [];
      const content = results
        .map(({ content: output }) => `<tool_response>\n${output}\n</tool_response>`)
        .join('\n');
      return [{ role: 'user', content }];
    },
    formatReminder: () => shape.reminder,
  };
}

/** Hermes / Qwen2.5 style: JSON signatures in `<tools>`, calls as `<tool_call>{"name":…,"arguments":…}</tool_call>`. */
export function createHermesToolProtocol(): ToolProtocol {
  return createTextToolProtocol({
    name: 'hermes',
    describeTools: (tools) =>
      [
        '# Tools',
        '',
        'You may call one or more functions to assist with the user query.',
        '',
        'You are provided with function signatures within <tools></tools> XML tags:',
        '<tools>',
        ...tools.map((tool) =>
          JSON.stringify({
            type: 'function',
            function: { name: tool.name, description: tool.description, parameters: tool.parameters },
          }),
        ),
        '</tools>',
        '',
        'For each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:',
        '<tool_call>',
        '{"name": <function-name>, "arguments": <args-json-object>}',
        '</tool_call>',
      ].join('\n'),
    renderCall: (call) =>
      `<tool_call>\n${JSON.stringify({ name: call.name, arguments: call.arguments })}\n</tool_call>`,
    reminder:
      'Write each tool call as <tool_call>{"name": "<tool name>", "arguments": {<arguments as a JSON object>}}</tool_call>.',
  });
}

/** Qwen3-Coder style: XML signatures, calls as `<tool_call><function=NAME><parameter=P>…</parameter></function></tool_call>`. */
export function createXmlToolProtocol(): ToolProtocol {
  return createTextToolProtocol({
    name: 'xml',
    describeTools: (tools) =>
      [
        '# Tools',
        '',
        'You have access to the following functions:',
        '',
        '<tools>',
        ...tools.map(describeXmlFunction),
        '</tools>',
        '',
        'If you choose to call a function ONLY reply in the following format with NO suffix:',
        '',
        '<tool_call>',
        '<function=example_function_name>',
        '<parameter=example_parameter_1>',
        'value_1',
        '</parameter>',
        '<parameter=example_parameter_2>',
        'This is the value for the second parameter',
        'that can span',
        'multiple lines',
        '</parameter>',
        '</function>',
        '</tool_call>',
        '',
        '<IMPORTANT>',
        'Reminder:',
        '- Function calls MUST follow the specified format: an inner <function=...></function> block must be nested within <tool_call></tool_call> XML tags',
        '- Required parameters MUST be specified',
        '- You may provide optional reasoning for your function call in natural language BEFORE the function call, but NOT after',
        '- If there is no function call available, answer the question like normal with your current knowledge and do not tell the user about function calls',
        '</IMPORTANT>',
      ].join('\n'),
    renderCall: (call) =>
      [
        '<tool_call>',
        `<function=${call.name}>`,
        ...Object.entries(call.arguments).map(
          ([name, value]) =>
            `<parameter=${name}>\n${typeof value === 'string' ? value : JSON.stringify(value)}\n</parameter>`,
        ),
        '</function>',
        '</tool_call>',
      ].join('\n'),
    reminder:
      'Write each tool call as <tool_call>\n<function=TOOL_NAME>\n<parameter=NAME>\nVALUE\n</parameter>\n</function>\n</tool_call>.',
  });
}

function describeXmlFunction(tool: ToolDefinition): string {
  const properties = (tool.parameters.properties ?? {}) as Record<string, Record<string, unknown>>;
  const required = Array.isArray(tool.parameters.required) ? tool.parameters.required : [];
  const lines = ['<function>', `<name>${tool.name}</name>`, `<description>${tool.description}</description>`];
  lines.push('<parameters>');
  for (const [name, schema] of Object.entries(properties)) {
    lines.push('<parameter>', `<name>${name}</name>`, `<type>${describeType(schema)}</type>`);
    if (typeof schema.description === 'string')
      lines.push(`<description>${schema.description}</description>`);
    lines.push('</parameter>');
  }
  if (required.length > 0) lines.push(`<required>${JSON.stringify(required)}</required>`);
  lines.push('</parameters>', '</function>');
  return lines.join('\n');
}

function describeType(schema: Record<string, unknown>): string {
  if (typeof schema.type === 'string') return schema.type;
  if (Array.isArray(schema.type)) return schema.type.join(' | ');
  if (Array.isArray(schema.enum)) return `enum ${JSON.stringify(schema.enum)}`;
  return 'any';
}
