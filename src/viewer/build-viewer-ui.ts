import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { VIEWER_DIST_DIR, VIEWER_UI_ROOT, viewerViteConfig } from './vite.config.ts';

/** Files outside `ui/` that the UI bundle imports: the API types and the pure TTFT source wording. */
const SHARED_UI_SOURCES = ['api-types.ts', 'time-to-first-token-source.ts'];

/** Newest modification time of the UI sources (and the files outside `ui/` they import). */
function newestSourceMtime(): number {
  let newest = Math.max(
    ...SHARED_UI_SOURCES.map((name) => statSync(path.join(VIEWER_UI_ROOT, '..', name)).mtimeMs),
  );
  const walk = (directory: string) => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      const full = path.join(directory, entry.name);
      if (entry.isDirectory()) walk(full);
      else newest = Math.max(newest, statSync(full).mtimeMs);
    }
  };
  walk(VIEWER_UI_ROOT);
  return newest;
}

/** True when `distDir` holds a build at least as new as the UI sources. */
export function isViewerUiBuilt(distDir: string = VIEWER_DIST_DIR): boolean {
  const index = path.join(distDir, 'index.html');
  if (!existsSync(index)) return false;
  // Sources are absent from a published package without src/viewer/ui: then any build is current.
  if (!existsSync(VIEWER_UI_ROOT)) return true;
  return statSync(index).mtimeMs >= newestSourceMtime();
}

const pending = new Map<string, Promise<string>>();

/**
 * Builds the viewer UI into `distDir` with Vite when it is missing or older than its sources, and returns
 * `distDir`. The build goes to a temporary folder first and is renamed into place, so a concurrent reader never sees
 * half a build; calls in one process share one build.
 */
export function ensureViewerUi(distDir: string = VIEWER_DIST_DIR): Promise<string> {
  if (isViewerUiBuilt(distDir)) return Promise.resolve(distDir);
  const running = pending.get(distDir);
  if (running) return running;
  const build = (async () => {
    const { build: viteBuild } = await import('vite');
    const temporary = `${distDir}.building-${process.pid}-${Date.now()}`;
    try {
      await viteBuild(viewerViteConfig(temporary));
      if (isViewerUiBuilt(distDir)) return distDir; // another process finished first
      try {
        rmSync(distDir, { recursive: true, force: true });
        renameSync(temporary, distDir);
      } catch (error) {
        if (!isViewerUiBuilt(distDir)) throw error; // lost a race to a concurrent build: use the winner's
      }
      return distDir;
    } finally {
      rmSync(temporary, { recursive: true, force: true });
      pending.delete(distDir);
    }
  })();
  pending.set(distDir, build);
  return build;
}
