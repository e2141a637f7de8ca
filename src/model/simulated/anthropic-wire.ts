import type { WireContext } from './simulated-server.ts';

// TODO(helper): implement the real wire format.
export async function handleAnthropicMessages(context: WireContext): Promise<void> {
  context.response.writeHead(501);
  context.response.end('not implemented');
}

