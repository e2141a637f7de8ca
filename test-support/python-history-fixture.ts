import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { runGit } from '../src/workspace/run-git.ts';

/** The commits of {@link createPythonHistory}, by role. */
export interface PythonHistory {
  repositoryDir: string;
  root: string;
  syntaxError: string;
  syntaxFix: string;
  documentation: string;
  flaky: string;
  passingAtParent: string;
  goodFix: string;
}

const calculatorSource = 'def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n';
const calculatorTests =
  'import calc\n\n\ndef test_add():\n    assert calc.add(2, 3) == 5\n\n\ndef test_sub():\n    assert calc.sub(5, 3) == 2\n';

/**
 * Test support: builds a small Python project (pytest) with one commit of each kind mining must handle, oldest
 * first: root; a commit whose source does not compile (with a test); a source-only fix of it; a docs-only commit; a
 * feature whose test is flaky (it fails in two runs of every four, counted in `counterFile`); a test that passes at the parent
 * already; and a good fix with a new failing test (newest).
 */
export async function createPythonHistory(directory: string, counterFile: string): Promise<PythonHistory> {
  const repositoryDir = join(directory, 'calculator');
  await mkdir(repositoryDir, { recursive: true });
  await runGit(['init', '--quiet', '--initial-branch=main'], { cwd: repositoryDir });
  let source = calculatorSource;
  let tests = calculatorTests;
  const commit = async (message: string, files: Record<string, string>): Promise<string> => {
    for (const [path, content] of Object.entries(files)) {
      await mkdir(dirname(join(repositoryDir, path)), { recursive: true });
      await writeFile(join(repositoryDir, path), content);
    }
    await runGit(['add', '--all'], { cwd: repositoryDir });
    await runGit(['commit', '--quiet', '--no-gpg-sign', '-m', message], { cwd: repositoryDir });
    return (await runGit(['rev-parse', 'HEAD'], { cwd: repositoryDir })).trim();
  };

  const root = await commit('Initial calculator', { 'calc.py': source, 'tests/test_calc.py': tests });
  const syntaxError = await commit('Add power (broken)', {
    'calc.py': `${source}\n\ndef power(a, b)\n    return a ** b\n`,
    'tests/test_calc.py': `${tests}\n\ndef test_power():\n    assert calc.power(2, 3) == 8\n`,
  });
  source += '\n\ndef power(a, b):\n    return a ** b\n';
  tests += '\n\ndef test_power():\n    assert calc.power(2, 3) == 8\n';
  const syntaxFix = await commit('Fix the syntax of power', { 'calc.py': source });
  const documentation = await commit('Document the calculator', {
    'README.md': '# Calculator\n\nAdds and subtracts.\n',
  });
  source += '\n\ndef answer():\n    return 42\n';
  // Counted before anything can fail, so every run bumps it; run c fails when c % 4 is 0 or 1, so two runs of the
  // same side (c and c + 2 when base and gold alternate, or when only gold bumps) always disagree.
  tests += `\n\ndef test_answer_is_stable():\n    with open(${JSON.stringify(counterFile)}, "a+") as counter:\n        counter.seek(0)\n        runs = len(counter.read()) + 1\n        counter.write("x")\n    assert calc.answer() == 42\n    assert (runs // 2) % 2 == 1, "fails in two runs of every four"\n`;
  const flaky = await commit('Add the answer', { 'calc.py': source, 'tests/test_calc.py': tests });
  source = source.replace('def add(a, b):\n', 'def add(a, b):\n    """Sum of a and b."""\n');
  tests += '\n\ndef test_add_negative():\n    assert calc.add(-2, -3) == -5\n';
  const passingAtParent = await commit('Document add', { 'calc.py': source, 'tests/test_calc.py': tests });
  source += '\n\ndef mul(a, b):\n    return a * b\n';
  tests += '\n\ndef test_mul_multiplies_two_numbers():\n    assert calc.mul(4, 5) == 20\n';
  const goodFix = await commit(
    'Add multiplication\n\nThe calculator can multiply two numbers with mul(a, b).',
    {
      'calc.py': source,
      'tests/test_calc.py': tests,
    },
  );
  return { repositoryDir, root, syntaxError, syntaxFix, documentation, flaky, passingAtParent, goodFix };
}
