/** The probe's sections, in the order they run. */
export type ProbeSection = 'tools' | 'retention' | 'throughput';

/** Every section, in run order. */
export const PROBE_SECTIONS: readonly ProbeSection[] = ['tools', 'retention', 'throughput'];

/** A progress notice: `done` of `total` units of a section finished, the last one named by `label`. */
export interface ProbeProgress {
  section: ProbeSection;
  done: number;
  total: number;
  label: string;
}

/** Receives progress notices while a probe runs. */
export type ProbeProgressListener = (progress: ProbeProgress) => void;
