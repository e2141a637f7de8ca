import { describe, expect, it } from 'vitest';
import { listPatchFiles, PatchParseError } from './patch-files.ts';

const gitPatch = `diff --git a/src/a.py b/src/a.py
index 1111111..2222222 100644
--- a/src/a.py
+++ b/src/a.py
@@ -1,3 +1,3 @@
 x = 1
--- not a header, a removed line starting with "-- "
+++ not a header either
 y = 2
diff --git a/tests/test_new.py b/tests/test_new.py
new file mode 100644
index 0000000..3333333
--- /dev/null
+++ b/tests/test_new.py
@@ -0,0 +1 @@
+def test_new(): pass
\\ No newline at end of file
diff --git a/old.txt b/old.txt
deleted file mode 100644
index 4444444..0000000
--- a/old.txt
+++ /dev/null
@@ -1 +0,0 @@
-bye
diff --git a/docs/a.md b/docs/b.md
similarity index 100%
rename from docs/a.md
rename to docs/b.md
`;

describe('listPatchFiles', () => {
  it('lists added, modified, deleted and renamed files without reading hunk bodies as headers', () => {
    expect(listPatchFiles(gitPatch)).toEqual([
      { path: 'src/a.py', change: 'modified' },
      { path: 'tests/test_new.py', change: 'added' },
      { path: 'old.txt', change: 'deleted' },
      { path: 'docs/b.md', change: 'renamed', previousPath: 'docs/a.md' },
    ]);
  });

  it('reads plain diff -u output', () => {
    expect(listPatchFiles('--- calc.py\t2024-01-01\n+++ calc.py\t2024-01-02\n@@ -1 +1 @@\n-a\n+b\n')).toEqual(
      [{ path: 'calc.py', change: 'modified' }],
    );
  });

  it('rejects truncated hunks and paths outside the repository', () => {
    expect(() => listPatchFiles('--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n a\n')).toThrow(PatchParseError);
    expect(() => listPatchFiles('--- /dev/null\n+++ /etc/passwd\n@@ -0,0 +1 @@\n+a\n')).toThrow(
      /unsafe path "\/etc\/passwd"/,
    );
  });
});
