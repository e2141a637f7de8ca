/** Paging of a list, client-side or of a page the server sent (no DOM: unit-tested under Node). */
import { formatCount } from './format.ts';

/** One page of a list. */
export interface Page<Item> {
  items: Item[];
  /** 0-based page index, clamped to the pages there are. */
  index: number;
  pages: number;
  /** 1-based positions of the first and last item shown (0 and 0 for an empty list). */
  first: number;
  last: number;
  total: number;
}

/** The `index`-th page of `items` with `pageSize` items a page (index clamped). */
export function pageOf<Item>(items: Item[], index: number, pageSize: number): Page<Item> {
  const size = Math.max(1, Math.floor(pageSize));
  const pages = Math.max(1, Math.ceil(items.length / size));
  const clamped = Math.min(Math.max(0, Math.floor(index)), pages - 1);
  const start = clamped * size;
  const shown = items.slice(start, start + size);
  return {
    items: shown,
    index: clamped,
    pages,
    first: shown.length > 0 ? start + 1 : 0,
    last: start + shown.length,
    total: items.length,
  };
}

/** The page the server answered: `items` are the list's items from position `offset` of `total`, `limit` a page. */
export function pageOfSlice<Item>(slice: {
  items: Item[];
  offset: number;
  limit: number;
  total: number;
}): Page<Item> {
  const size = Math.max(1, Math.floor(slice.limit));
  return {
    items: slice.items,
    index: Math.floor(slice.offset / size),
    pages: Math.max(1, Math.ceil(slice.total / size)),
    first: slice.items.length > 0 ? slice.offset + 1 : 0,
    last: slice.offset + slice.items.length,
    total: slice.total,
  };
}

/** The pager's count, e.g. "1–100 of 1,000". */
export function pageRangeLabel(page: Pick<Page<unknown>, 'first' | 'last' | 'total'>): string {
  if (page.total === 0) return '0 of 0';
  return `${formatCount(page.first)}–${formatCount(page.last)} of ${formatCount(page.total)}`;
}
