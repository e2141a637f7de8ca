import type { ModelClient } from '../src/model/types.ts';

/** One timed interval on the `performance.now()` clock. */
export interface Span {
  start: number;
  end: number;
}

/**
 * Wraps a model client so that every `step` call is recorded as a span (request sent until the answer is parsed).
 * Everything else passes through to the wrapped client (getters included).
 */
export function timedClient(client: ModelClient, spans: Span[]): ModelClient {
  return new Proxy(client, {
    get(target, property) {
      if (property === 'step') {
        return async (request: Parameters<ModelClient['step']>[0]) => {
          const start = performance.now();
          try {
            return await target.step(request);
          } finally {
            spans.push({ start, end: performance.now() });
          }
        };
      }
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** Formats a fraction as a percentage with one decimal. */
export function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}
