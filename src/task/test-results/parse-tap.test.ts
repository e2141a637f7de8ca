import { describe, expect, it } from 'vitest';
import { parseTap } from './parse-tap.ts';

// Printed by Node 20 `node --test --test-reporter=tap` (stack trimmed).
const nodeTap = `TAP version 13
# Subtest: math
    # Subtest: adds
    ok 1 - adds
      ---
      duration_ms: 0.900388
      ...
    # Subtest: fails
    not ok 2 - fails
      ---
      duration_ms: 1.386712
      location: '/tmp/probe/js/a.test.mjs:3:68'
      failureType: 'testCodeFailure'
      error: '1 == 2'
      code: 'ERR_ASSERTION'
      stack: |-
        TestContext.<anonymous> (file:///tmp/probe/js/a.test.mjs:3:95)
        ok 7 - not a test point inside YAML
      ...
    # Subtest: skipped
    ok 3 - skipped # SKIP later
      ---
      duration_ms: 0.171335
      ...
    # Subtest: todo
    ok 4 - todo # TODO
      ---
      duration_ms: 0.136002
      ...
    1..4
not ok 1 - math
  ---
  duration_ms: 4.188237
  type: 'suite'
  error: '1 subtest failed'
  ...
# Subtest: top \\# hash
ok 2 - top \\# hash
  ---
  duration_ms: 0.29609
  ...
1..2
# tests 5
# pass 2
`;

describe('parseTap', () => {
  it('reads node TAP with subtests, directives and YAML diagnostics', () => {
    const results = parseTap(nodeTap);
    expect(results.map((result) => [result.id, result.status])).toEqual([
      ['math > adds', 'passed'],
      ['math > fails', 'failed'],
      ['math > skipped', 'skipped'],
      ['math > todo', 'skipped'],
      ['math', 'failed'],
      ['top # hash', 'passed'],
    ]);
    expect(results[0].durationMs).toBeCloseTo(0.900388);
    expect(results[1].message).toBe('1 == 2');
    expect(results[2].message).toBe('SKIP later');
  });

  it('reads plain TAP without descriptions or plans, TODO failures and stops at Bail out!', () => {
    const results = parseTap(
      [
        '1..4',
        'ok 1 first',
        'not ok 2 - second # TODO not yet',
        'not ok 3',
        'Bail out! database down',
        'ok 4 - never',
      ].join('\n'),
    );
    expect(results.map((result) => [result.id, result.status])).toEqual([
      ['first', 'passed'],
      ['second', 'skipped'],
      ['test 3', 'failed'],
    ]);
  });

  it('finds nothing in output that is not TAP', () => {
    expect(parseTap('Error: Cannot find module x\n    at foo')).toEqual([]);
  });
});
