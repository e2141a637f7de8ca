import { describe, expect, it } from 'vitest';
import { mergePackageJson, mergePyproject } from './merge-runner-config.ts';

describe('mergePackageJson', () => {
  const base = '{ "name": "x", "type": "module", "scripts": { "test": "node --test" } }';

  it('keeps a change that does not touch runner keys', () => {
    const agent =
      '{ "name": "x", "type": "module", "scripts": { "test": "node --test" }, "dependencies": {} }';
    expect(mergePackageJson(base, agent)).toEqual({ content: agent, dropped: [] });
  });

  it('drops changed scripts and runner keys, keeping the rest', () => {
    const agent = JSON.stringify({ name: 'y', type: 'module', scripts: { test: 'exit 0' }, jest: {} });
    const merged = mergePackageJson(base, agent);
    expect(merged.dropped).toEqual(['scripts', 'jest']);
    expect(JSON.parse(merged.content ?? 'null')).toEqual({
      name: 'y',
      type: 'module',
      scripts: { test: 'node --test' },
    });
  });

  it('keeps the base when only runner keys changed, and when the change is not JSON', () => {
    const agent = '{ "name": "x", "type": "module", "scripts": { "test": "exit 0" } }';
    expect(mergePackageJson(base, agent)).toEqual({ content: null, dropped: ['scripts'] });
    expect(mergePackageJson(base, 'nope').content).toBeNull();
  });
});

describe('mergePyproject', () => {
  const base = '[project]\nname = "x"\n\n[tool.pytest.ini_options]\ntestpaths = ["tests"]\n';

  it('keeps a change outside runner tables', () => {
    const agent =
      '[project]\nname = "x"\nversion = "2"\n\n[tool.pytest.ini_options]\ntestpaths = ["tests"]\n';
    expect(mergePyproject(base, agent)).toEqual({ content: agent, dropped: [] });
  });

  it('restores runner tables and keeps the rest of the change', () => {
    const agent =
      '[project]\nname = "x"\nversion = "2"\n\n[tool.pytest.ini_options]\naddopts = "-p evil"\n\n[project.entry-points.pytest11]\nevil = "evil"\n';
    const merged = mergePyproject(base, agent);
    expect(merged.dropped.sort()).toEqual(['[project.entry-points.pytest11]', '[tool.pytest.ini_options]']);
    expect(merged.content).toContain('version = "2"');
    expect(merged.content).toContain('testpaths = ["tests"]');
    expect(merged.content).not.toContain('evil');
  });

  it('keeps the base when only runner tables changed, and writes nothing for an added runner-only file', () => {
    expect(
      mergePyproject(base, '[project]\nname = "x"\n\n[tool.pytest.ini_options]\naddopts = "-x"\n'),
    ).toEqual({
      content: null,
      dropped: ['[tool.pytest.ini_options]'],
    });
    expect(mergePyproject(null, '[tool.pytest.ini_options]\naddopts = "-p evil"\n').content).toBeNull();
  });
});
