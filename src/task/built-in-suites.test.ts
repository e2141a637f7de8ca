import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUILT_IN_SUITES_DIRECTORY, builtInSuitePath, resolveSuiteDirectory } from './built-in-suites.ts';

const PACKAGE_CORE = path.resolve(import.meta.dirname, '../../suites/core');

let directory: string;

beforeEach(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'shakedown-built-in-suites-'));
});

afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('built-in suites', () => {
  it('live in the package folder, not the current directory', () => {
    expect(BUILT_IN_SUITES_DIRECTORY).toBe(path.dirname(PACKAGE_CORE));
    expect(builtInSuitePath('core')).toBe(PACKAGE_CORE);
    expect(builtInSuitePath('suites/core')).toBe(PACKAGE_CORE);
    expect(builtInSuitePath('./suites/core/')).toBe(PACKAGE_CORE);
    expect(builtInSuitePath('nope')).toBeNull();
    expect(builtInSuitePath('../suites/core')).toBeNull();
    expect(builtInSuitePath('suites/..')).toBeNull();
  });

  it('are found from any folder; a relative folder that exists there wins', async () => {
    expect(resolveSuiteDirectory('suites/core', directory)).toBe(PACKAGE_CORE);
    expect(resolveSuiteDirectory('core', directory)).toBe(PACKAGE_CORE);
    expect(resolveSuiteDirectory('missing', directory)).toBe(path.join(directory, 'missing'));
    await mkdir(path.join(directory, 'suites', 'core'), { recursive: true });
    await mkdir(path.join(directory, 'core'));
    expect(resolveSuiteDirectory('suites/core', directory)).toBe(path.join(directory, 'suites', 'core'));
    expect(resolveSuiteDirectory('core', directory)).toBe(path.join(directory, 'core'));
    const absolute = path.join(directory, 'elsewhere');
    expect(resolveSuiteDirectory(absolute, directory)).toBe(absolute);
  });
});
