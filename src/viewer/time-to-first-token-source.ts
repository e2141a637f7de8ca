/**
 * Where a model's time to first token was measured, in words the viewer shows next to the figure. Pure (types
 * only), so the server and the browser UI share it.
 */
import type { ModelMetrics, SourcedPercentileSummary } from '../metrics/run-metrics.ts';

/**
 * `server-reported`, `measured at the client` (the built-in agent's model client), `measured at the proxy` (an
 * external agent's recording proxy: its request reaching the proxy to the first token bytes sent back), both with
 * their step counts when steps differ, or null with no value.
 */
export function timeToFirstTokenSource(
  summary: Pick<SourcedPercentileSummary, 'serverReported' | 'measured'>,
  external: boolean,
): string | null {
  const measuredAt = external ? 'measured at the proxy' : 'measured at the client';
  const steps = (count: number) => `${count} ${count === 1 ? 'step' : 'steps'}`;
  if (summary.serverReported > 0 && summary.measured > 0)
    return `server-reported (${steps(summary.serverReported)}), ${measuredAt} (${steps(summary.measured)})`;
  if (summary.serverReported > 0) return 'server-reported';
  if (summary.measured > 0) return measuredAt;
  return null;
}

/** Whether a metrics row ran inside an external agent: its cell's agent, else the run's agent. */
export function isExternalAgentRow(model: Pick<ModelMetrics, 'agentCell'>, runAgent: string): boolean {
  return model.agentCell ? model.agentCell.agentName !== 'built-in' : runAgent !== 'built-in';
}
