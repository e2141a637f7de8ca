import { z } from 'zod';

/**
 * What running a model locally costs: either a rate per GPU-hour (a rented or amortized GPU), or power drawn
 * times the electricity price. Optional hardware price for break-even.
 */
export const localCostSchema = z
  .object({
    gpuHourlyRateUsd: z.number().nonnegative().optional(),
    watts: z.number().positive().optional(),
    electricityUsdPerKwh: z.number().nonnegative().optional(),
    /** Up-front hardware price, for the break-even volume against an API. */
    hardwareUsd: z.number().nonnegative().optional(),
  })
  .strict()
  .refine((value) => value.gpuHourlyRateUsd !== undefined || value.watts !== undefined, {
    message: 'local cost needs gpuHourlyRateUsd, or watts with electricityUsdPerKwh',
  })
  .refine((value) => value.watts === undefined || value.electricityUsdPerKwh !== undefined, {
    message: 'watts needs electricityUsdPerKwh',
  });
export type LocalCost = z.infer<typeof localCostSchema>;

/** Dollar cost of `wallMs` of local model time. */
export function localCostOfTime(cost: LocalCost, wallMs: number): number {
  const hours = wallMs / 3_600_000;
  if (cost.gpuHourlyRateUsd !== undefined) return hours * cost.gpuHourlyRateUsd;
  return ((cost.watts ?? 0) / 1000) * hours * (cost.electricityUsdPerKwh ?? 0);
}

export interface BreakEven {
  /** Resolved tasks after which the local set-up has paid for its hardware; null when it never does. */
  resolvedTasks: number | null;
  reason: string;
}

/**
 * Break-even volume of local vs API: how many resolved tasks until the hardware price is recovered by the
 * lower cost per resolved task. Never, when local is not cheaper per resolved task.
 */
export function breakEvenVolume(
  hardwareUsd: number,
  localCostPerResolvedUsd: number,
  apiCostPerResolvedUsd: number,
): BreakEven {
  const saving = apiCostPerResolvedUsd - localCostPerResolvedUsd;
  if (!Number.isFinite(saving) || saving <= 0) {
    return { resolvedTasks: null, reason: 'local costs as much or more per resolved task: no break-even' };
  }
  return {
    resolvedTasks: Math.ceil(hardwareUsd / saving),
    reason: `saves $${saving.toFixed(4)} per resolved task`,
  };
}
