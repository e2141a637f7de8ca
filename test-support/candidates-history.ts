import { join } from 'node:path';
import { createGitHistory } from './git-history.ts';

/** The commits of {@link createCandidatesHistory}, newest first, and the repository. */
export interface CandidatesHistory {
  repositoryDir: string;
  /** Every commit sha, newest first. */
  commits: string[];
}

const moduleSource = 'def f(x):\n    return x\n';
const moduleTests = (index: number) =>
  `from pkg.m${index} import f\n\n\ndef test_f_keeps_its_argument():\n    assert f(3) == 3\n`;

/**
 * Test support: a small deterministic pytest project (`pkg/m0..m3`, a test module each) whose history holds, oldest
 * first, after the root: a fix of m0 (a task), documentation, a fix of m1 (a task), a change of m2 whose new test
 * passes at the parent already (skipped: no FAIL_TO_PASS), a fix of m3 (a task), a broken change of m0 that does not
 * compile (skipped), and a fix of m1 again (a task). Every outcome is the same however often and in whatever order the
 * tests run, so sequential and parallel mining must agree exactly.
 */
export async function createCandidatesHistory(directory: string): Promise<CandidatesHistory> {
  const history = await createGitHistory(join(directory, 'modules'));
  const files: Record<string, string> = { 'pkg/__init__.py': '' };
  for (let index = 0; index < 4; index++) {
    files[`pkg/m${index}.py`] = moduleSource;
    files[`tests/test_m${index}.py`] = moduleTests(index);
  }
  const commits = [await history.commit('Initial modules', files)];
  const addDouble = (index: number, name: string) =>
    history.commit(
      `Add ${name} to m${index}\n\n${name}(x) in module m${index} returns twice its argument x.`,
      {
        [`pkg/m${index}.py`]: `${moduleSource}\n\ndef ${name}(x):\n    return 2 * x\n`,
        [`tests/test_m${index}.py`]: `${moduleTests(index).replace('import f', `import f, ${name}`)}\n\ndef test_${name}_doubles():\n    assert ${name}(2) == 4\n`,
      },
    );
  commits.push(await addDouble(0, 'double'));
  commits.push(await history.commit('Document the modules', { 'README.md': '# modules\n' }));
  commits.push(await addDouble(1, 'twice'));
  commits.push(
    await history.commit('Test f of m2 on zero\n\nf(x) in module m2 keeps zero as zero, checked now.', {
      'pkg/m2.py': `${moduleSource}# f is the identity.\n`,
      'tests/test_m2.py': `${moduleTests(2)}\n\ndef test_f_keeps_zero():\n    assert f(0) == 0\n`,
    }),
  );
  commits.push(await addDouble(3, 'double'));
  commits.push(
    await history.commit('Break m0\n\nm0 gets a half-written function that does not compile at all.', {
      'pkg/m0.py': `${moduleSource}\n\ndef double(x):\n    return 2 * x\n\n\ndef broken(x:\n`,
      'tests/test_m0.py': `${moduleTests(0).replace('import f', 'import f, double')}\n\ndef test_double_doubles():\n    assert double(2) == 4\n\n\ndef test_broken():\n    pass\n`,
    }),
  );
  commits.push(
    await history.commit('Add halve to m1\n\nhalve(x) in module m1 returns half of its argument x.', {
      'pkg/m1.py': `${moduleSource}\n\ndef twice(x):\n    return 2 * x\n\n\ndef halve(x):\n    return x / 2\n`,
      'tests/test_m1.py': `${moduleTests(1).replace('import f', 'import f, halve, twice')}\n\ndef test_twice_doubles():\n    assert twice(2) == 4\n\n\ndef test_halve_halves():\n    assert halve(4) == 2\n`,
    }),
  );
  return { repositoryDir: history.dir, commits: commits.reverse() };
}
