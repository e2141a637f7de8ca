import type { EndpointInfo } from './types.ts';

/**
 * The EndpointInfo a describe() starts from before it learns anything: not reached, every measurement unknown,
 * not simulated, no notes. `known` sets what the provider knows up front (a documented context window, tool
 * support, …).
 */
export function unknownEndpointInfo(
  provider: string,
  model: string,
  known: Partial<Omit<EndpointInfo, 'provider' | 'model'>> = {},
): EndpointInfo {
  return {
    provider,
    model,
    reachable: false,
    contextLength: null,
    maxContextLength: null,
    quantization: null,
    parameterCount: null,
    sizeBytes: null,
    sizeVramBytes: null,
    cpuOffload: null,
    parallelSlots: null,
    supportsTools: null,
    simulated: false,
    notes: [],
    ...known,
  };
}
