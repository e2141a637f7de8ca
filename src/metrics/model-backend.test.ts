import { describe, expect, it } from 'vitest';
import { describeModelBackend, modelBackendOf } from './model-backend.ts';

describe('modelBackendOf', () => {
  it('reads the backend of a stored endpoint info, with the CPU reason only when it ran on the CPU', () => {
    expect(modelBackendOf({ backend: 'cuda', notes: ['33 layer(s) offloaded to the GPU'] })).toEqual({
      name: 'cuda',
      cpuNote: null,
    });
    const cpu = modelBackendOf({
      backend: 'cpu',
      notes: ['Q4_K_M', 'No usable GPU (CUDA, Vulkan, Metal) found: runs on the CPU.'],
    });
    expect(cpu).toEqual({
      name: 'cpu',
      cpuNote: 'No usable GPU (CUDA, Vulkan, Metal) found: runs on the CPU.',
    });
    expect(describeModelBackend(cpu!)).toBe(
      'cpu (No usable GPU (CUDA, Vulkan, Metal) found: runs on the CPU.)',
    );
    expect(describeModelBackend({ name: 'metal', cpuNote: null })).toBe('metal');
  });

  it('is null for server models and unreadable endpoint info', () => {
    expect(modelBackendOf({ contextLength: 8192, notes: [] })).toBeNull();
    expect(modelBackendOf(null)).toBeNull();
    expect(modelBackendOf('cuda')).toBeNull();
    expect(modelBackendOf({ backend: '' })).toBeNull();
  });
});
