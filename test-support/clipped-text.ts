import type { Page } from 'playwright-core';

/** A text element drawn outside its box: a plot's SVG text past the SVG's edges, or a table cell wider than shown. */
export interface ClippedText {
  where: string;
  text: string;
  overflow: string;
}

/**
 * Every text under `selector` that does not fit: SVG `<text>` whose bounding box leaves its `<svg>` (Plot draws with
 * `overflow: visible`, so such text is cut by the page or overlaps its neighbours), and table cells or headings
 * whose content is wider than the element (`scrollWidth > clientWidth`, text cut by overflow or ellipsis).
 */
export function findClippedText(page: Page, selector = 'body'): Promise<ClippedText[]> {
  return page.evaluate((root) => {
    const found: Array<{ where: string; text: string; overflow: string }> = [];
    const tolerance = 1;
    for (const scope of Array.from(document.querySelectorAll(root))) {
      for (const svg of Array.from(scope.querySelectorAll('svg'))) {
        // A legend swatch's SVG holds no text; only the outermost plot SVG is the box text must fit in.
        if (svg.parentElement?.closest('svg')) continue;
        const box = svg.getBoundingClientRect();
        for (const text of Array.from(svg.querySelectorAll('text'))) {
          const rect = text.getBoundingClientRect();
          if (rect.width === 0 && rect.height === 0) continue;
          const sides = [
            rect.left < box.left - tolerance && `left by ${(box.left - rect.left).toFixed(0)}px`,
            rect.right > box.right + tolerance && `right by ${(rect.right - box.right).toFixed(0)}px`,
            rect.top < box.top - tolerance && `top by ${(box.top - rect.top).toFixed(0)}px`,
            rect.bottom > box.bottom + tolerance && `bottom by ${(rect.bottom - box.bottom).toFixed(0)}px`,
          ].filter(Boolean);
          if (sides.length > 0) {
            const owner = svg.closest('[id],[data-plot]');
            found.push({
              where: owner?.id || owner?.getAttribute('data-plot') || 'svg',
              text: text.textContent ?? '',
              overflow: sides.join(', '),
            });
          }
        }
      }
      for (const cell of Array.from(scope.querySelectorAll('td, th, h1, h2, h3, caption'))) {
        const element = cell as HTMLElement;
        if (element.scrollWidth > element.clientWidth + tolerance) {
          found.push({
            where: element.closest('table')?.id || element.tagName.toLowerCase(),
            text: (element.textContent ?? '').slice(0, 80),
            overflow: `content ${element.scrollWidth}px in ${element.clientWidth}px`,
          });
        }
      }
    }
    return found;
  }, selector);
}
