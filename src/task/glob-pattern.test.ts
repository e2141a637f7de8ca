import { describe, expect, it } from 'vitest';
import { globToRegularExpression } from './glob-pattern.ts';

describe('globToRegularExpression', () => {
  const matches = (glob: string, path: string) => globToRegularExpression(glob).test(path);

  it('matches within one segment with * and ?', () => {
    expect(matches('*.py', 'calc.py')).toBe(true);
    expect(matches('*.py', 'src/calc.py')).toBe(false);
    expect(matches('src/?.ts', 'src/a.ts')).toBe(true);
    expect(matches('calc.py', 'calcXpy')).toBe(false);
  });

  it('matches across directories with ** and alternatives with {}', () => {
    expect(matches('**/*.py', 'calc.py')).toBe(true);
    expect(matches('**/*.py', 'a/b/calc.py')).toBe(true);
    expect(matches('src/**', 'src/a/b.ts')).toBe(true);
    expect(matches('src/**/*.{ts,js}', 'src/x/y.js')).toBe(true);
    expect(matches('src/**/*.{ts,js}', 'src/x/y.py')).toBe(false);
    expect(matches('./src/*.ts', 'src/a.ts')).toBe(true);
  });
});
