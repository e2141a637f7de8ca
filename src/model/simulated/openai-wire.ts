import type { WireContext } from './simulated-server.ts';

// TODO(helper): implement the real wire format.
export async function handleOpenAIChat(context: WireContext): Promise<void> {
  context.response.writeHead(501);
  context.response.end('not implemented');
}

// TODO(helper): implement the real wire format.
export async function handleOpenAIInfo(context: WireContext): Promise<void> {
  context.response.writeHead(501);
  context.response.end('not implemented');
}

