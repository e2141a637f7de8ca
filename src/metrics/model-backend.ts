/**
 * The compute backend an embedded model ran on (cuda, vulkan, metal, cpu), read from the endpoint info stored with
 * the run, with the client's note on why it ran on the CPU when it did.
 */

import type { ModelBackend } from './run-metrics.ts';

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The backend of a stored endpoint info, or null when the client did not know it (server models). */
export function modelBackendOf(endpointInfo: unknown): ModelBackend | null {
  if (!isRecord(endpointInfo) || typeof endpointInfo.backend !== 'string' || endpointInfo.backend === '')
    return null;
  const name = endpointInfo.backend;
  const notes = Array.isArray(endpointInfo.notes)
    ? endpointInfo.notes.filter((note): note is string => typeof note === 'string')
    : [];
  const cpuNote = name === 'cpu' ? (notes.find((note) => /\bCPU\b/.test(note)) ?? null) : null;
  return { name, cpuNote };
}

/** One line for reports: `cuda`, or `cpu (No usable GPU … found: runs on the CPU.)`. */
export function describeModelBackend(backend: ModelBackend): string {
  return backend.cpuNote ? `${backend.name} (${backend.cpuNote})` : backend.name;
}
