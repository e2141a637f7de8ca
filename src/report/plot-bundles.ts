/**
 * The d3 and Observable Plot browser bundles (UMD), read from node_modules so the HTML report can inline them and
 * render its plots offline, with no network access.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The JavaScript sources to inline: d3 first (Plot's UMD bundle reads the global `d3`), then Plot. */
export interface PlotBundles {
  d3: string;
  plot: string;
}

const BUNDLE_FILES = {
  d3: path.join('d3', 'dist', 'd3.min.js'),
  plot: path.join('@observablehq', 'plot', 'dist', 'plot.umd.min.js'),
} as const;

let cached: PlotBundles | null = null;

function findInNodeModules(relative: string, from: string): string {
  let directory = from;
  for (;;) {
    const candidate = path.join(directory, 'node_modules', relative);
    if (existsSync(candidate)) return candidate;
    const parent = path.dirname(directory);
    if (parent === directory) {
      throw new Error(
        `cannot find node_modules/${relative} above ${from}; reinstall shakedown's dependencies`,
      );
    }
    directory = parent;
  }
}

/** Reads (once) the bundles from the nearest node_modules above this module. */
export function loadPlotBundles(): PlotBundles {
  if (cached) return cached;
  const from = path.dirname(fileURLToPath(import.meta.url));
  cached = {
    d3: readFileSync(findInNodeModules(BUNDLE_FILES.d3, from), 'utf8'),
    plot: readFileSync(findInNodeModules(BUNDLE_FILES.plot, from), 'utf8'),
  };
  return cached;
}
