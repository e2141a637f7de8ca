import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { positiveInteger } from './positive-integer.ts';

describe('positiveInteger', () => {
  it('accepts whole numbers above zero', () => {
    expect(positiveInteger('1')).toBe(1);
    expect(positiveInteger('250')).toBe(250);
  });

  it.each(['0', '-3', '1.5', 'ten', ''])('rejects %j with commander’s argument error', (value) => {
    expect(() => positiveInteger(value)).toThrow(InvalidArgumentError);
    expect(() => positiveInteger(value)).toThrow('must be a positive integer');
  });
});
