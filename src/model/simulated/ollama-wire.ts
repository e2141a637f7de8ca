import type { WireContext } from './simulated-server.ts';

// TODO(helper): implement the real wire format.
export async function handleOllamaChat(context: WireContext): Promise<void> {
  context.response.writeHead(501);
  context.response.end('not implemented');
}

// TODO(helper): implement the real wire format.
export async function handleOllamaInfo(context: WireContext): Promise<void> {
  context.response.writeHead(501);
  context.response.end('not implemented');
}

