import { InvalidArgumentError } from 'commander';

/** Parses a command-line option value as a positive integer; commander shows the error beside the option name. */
export function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new InvalidArgumentError('must be a positive integer');
  return parsed;
}
