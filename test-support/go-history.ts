import { join } from 'node:path';
import { createGitHistory } from './git-history.ts';

/** The commits of {@link createGoHistory}, by role. */
export interface GoHistory {
  repositoryDir: string;
  /** Adds `Reverse` to package textkit with its test (a task). */
  reverse: string;
  /** Fixes `Clamp` in package numkit for reversed bounds, with a new test (a task), as a `--no-ff` merge. */
  clampMerge: string;
  /** Only documentation. */
  documentation: string;
}

const textkit =
  'package textkit\n\nimport "strings"\n\n// Shout upper-cases s.\nfunc Shout(s string) string {\n\treturn strings.ToUpper(s)\n}\n';
const textkitTests =
  'package textkit\n\nimport "testing"\n\nfunc TestShout(t *testing.T) {\n\tif got := Shout("hi"); got != "HI" {\n\t\tt.Fatalf("Shout(hi) = %q", got)\n\t}\n}\n';
const numkit =
  'package numkit\n\n// Clamp limits x to [low, high].\nfunc Clamp(x, low, high int) int {\n\tif x < low {\n\t\treturn low\n\t}\n\tif x > high {\n\t\treturn high\n\t}\n\treturn x\n}\n';
const numkitTests =
  'package numkit\n\nimport "testing"\n\nfunc TestClampInside(t *testing.T) {\n\tif got := Clamp(5, 0, 10); got != 5 {\n\t\tt.Fatalf("Clamp(5, 0, 10) = %d", got)\n\t}\n}\n';

/**
 * Test support: a Go module without dependencies (`example.com/kits`, packages `textkit` and `numkit`, each with
 * tests) whose history, oldest first, holds: the root; a feature of textkit with its test; documentation; and a merged
 * branch fixing numkit's Clamp when the bounds come reversed (the fix and its test in separate commits).
 */
export async function createGoHistory(directory: string): Promise<GoHistory> {
  const history = await createGitHistory(join(directory, 'kits'));
  await history.commit('Initial kits', {
    'go.mod': 'module example.com/kits\n\ngo 1.19\n',
    'textkit/textkit.go': textkit,
    'textkit/textkit_test.go': textkitTests,
    'numkit/numkit.go': numkit,
    'numkit/numkit_test.go': numkitTests,
  });
  const reverse = await history.commit(
    'Add Reverse to textkit\n\nReverse(s) returns the string s with its runes in reverse order.',
    {
      'textkit/textkit.go': `${textkit}\n// Reverse returns s with its runes reversed.\nfunc Reverse(s string) string {\n\tr := []rune(s)\n\tfor i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {\n\t\tr[i], r[j] = r[j], r[i]\n\t}\n\treturn string(r)\n}\n`,
      'textkit/textkit_test.go': `${textkitTests}\nfunc TestReverseRunes(t *testing.T) {\n\tif got := Reverse("héllo"); got != "olléh" {\n\t\tt.Fatalf("Reverse(héllo) = %q", got)\n\t}\n}\n`,
    },
  );
  const documentation = await history.commit('Document kits', { 'README.md': '# kits\n' });
  await history.git('checkout', '--quiet', '-b', 'clamp');
  await history.commit('Clamp swaps reversed bounds', {
    'numkit/numkit.go': numkit.replace(
      '{\n\tif x < low',
      '{\n\tif low > high {\n\t\tlow, high = high, low\n\t}\n\tif x < low',
    ),
  });
  await history.commit('Test Clamp with reversed bounds', {
    'numkit/numkit_test.go': `${numkitTests}\nfunc TestClampReversedBounds(t *testing.T) {\n\tif got := Clamp(5, 10, 0); got != 5 {\n\t\tt.Fatalf("Clamp(5, 10, 0) = %d", got)\n\t}\n}\n`,
  });
  await history.git('checkout', '--quiet', 'main');
  await history.git(
    'merge',
    '--quiet',
    '--no-ff',
    'clamp',
    '-m',
    'Merge pull request #3 from dev/clamp',
    '-m',
    'Clamp accepts reversed bounds\n\nClamp(x, low, high) with low greater than high swaps the bounds instead of returning high.',
  );
  const clampMerge = await history.git('rev-parse', 'HEAD');
  return { repositoryDir: history.dir, reverse, clampMerge, documentation };
}
