import { describe, expect, it } from 'vitest';
import { groupBy } from './group-by.ts';

describe('groupBy', () => {
  it('groups in one pass, keeping the order of the items and of the first item of each group', () => {
    const attempts = [
      { taskId: 'b', index: 0 },
      { taskId: 'a', index: 0 },
      { taskId: 'b', index: 1 },
      { taskId: 'c', index: 0 },
      { taskId: 'a', index: 1 },
    ];
    const groups = groupBy(attempts, (attempt) => attempt.taskId);
    expect([...groups.keys()]).toEqual(['b', 'a', 'c']);
    expect(groups.get('b')).toEqual([attempts[0], attempts[2]]);
    expect(groups.get('a')).toEqual([attempts[1], attempts[4]]);
    expect(groups.get('c')).toEqual([attempts[3]]);
    expect(groupBy([], (value: number) => value).size).toBe(0);
  });

  it('gives the same groups as filtering the list once per key', () => {
    const items = Array.from({ length: 200 }, (_, index) => ({ key: (index * 7) % 13, index }));
    const groups = groupBy(items, (item) => item.key);
    for (const key of new Set(items.map((item) => item.key)))
      expect(groups.get(key)).toEqual(items.filter((item) => item.key === key));
  });
});
