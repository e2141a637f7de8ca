import { describe, expect, it } from 'vitest';
import { globMatcher } from './glob-matcher.ts';

describe('globMatcher', () => {
  const matches = (glob: string, path: string) => globMatcher(glob)(path);

  it('matches within one segment with *, ? and [ ]', () => {
    expect(matches('*.py', 'calc.py')).toBe(true);
    expect(matches('*.py', 'src/calc.py')).toBe(false);
    expect(matches('src/?.ts', 'src/a.ts')).toBe(true);
    expect(matches('calc.py', 'calcXpy')).toBe(false);
    expect(matches('src/[ab].ts', 'src/b.ts')).toBe(true);
    expect(matches('src/[!ab].ts', 'src/b.ts')).toBe(false);
  });

  it('matches across directories with ** and alternatives with {}', () => {
    expect(matches('**/*.py', 'calc.py')).toBe(true);
    expect(matches('**/*.py', 'a/b/calc.py')).toBe(true);
    expect(matches('src/**', 'src/a/b.ts')).toBe(true);
    expect(matches('src/**/*.{ts,js}', 'src/x/y.js')).toBe(true);
    expect(matches('src/**/*.{ts,js}', 'src/x/y.py')).toBe(false);
    expect(matches('./src/*.ts', 'src/a.ts')).toBe(true);
  });

  it('includes dot files and takes several globs', () => {
    expect(matches('**/*.cfg', '.config/setup.cfg')).toBe(true);
    expect(matches('*', '.env')).toBe(true);
    const either = globMatcher(['tests/**', '*.toml']);
    expect(either('tests/a/test_x.py')).toBe(true);
    expect(either('pyproject.toml')).toBe(true);
    expect(either('src/x.py')).toBe(false);
  });

  it('matches a glob without / against the base name when asked', () => {
    expect(globMatcher('*.md', { matchBaseName: true })('docs/guide/README.md')).toBe(true);
    expect(globMatcher('*.md')('docs/guide/README.md')).toBe(false);
    expect(globMatcher('docs/*.md', { matchBaseName: true })('docs/guide/README.md')).toBe(false);
  });
});
