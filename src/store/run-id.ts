import { randomBytes } from 'node:crypto';

/** Shape of a run id: `run-YYYYMMDD-HHMMSS-xxxx` (UTC time, 4 random hex digits). */
export const RUN_ID_PATTERN = /^run-\d{8}-\d{6}-[0-9a-f]{4}$/;

/** A new run id such as `run-20261126-132900-ab12`, from the UTC time `date`. */
export function createRunId(date: Date = new Date()): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  const day = `${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}`;
  const time = `${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}`;
  return `run-${day}-${time}-${randomBytes(2).toString('hex')}`;
}

/** The default attempt id `<run>/<model>/<task>/<index>`. */
export function attemptIdOf(runId: string, modelId: string, taskId: string, attemptIndex: number): string {
  return `${runId}/${modelId}/${taskId}/${attemptIndex}`;
}
