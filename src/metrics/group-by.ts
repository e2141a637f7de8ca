/**
 * The items grouped by a key, in one pass: each group keeps the items' order, and the groups come in the order their
 * first item came (what `Map.groupBy` does from Node 21 on). Metrics group attempts once instead of filtering the
 * whole list again for every task or repetition.
 */
export function groupBy<Item, Key>(items: Iterable<Item>, keyOf: (item: Item) => Key): Map<Key, Item[]> {
  const groups = new Map<Key, Item[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
