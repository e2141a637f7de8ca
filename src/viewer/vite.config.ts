/**
 * Vite configuration of the viewer UI: `src/viewer/ui` is bundled to `dist/viewer`. `shakedown view` builds it on
 * demand through `buildViewerUi` (which passes this config programmatically); `npx vite build -c
 * src/viewer/vite.config.ts` does the same by hand.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type InlineConfig } from 'vite';

/** The folder holding the UI sources (`index.html` and the TypeScript it loads). */
export const VIEWER_UI_ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'ui');
/** Where the built UI goes by default. */
export const VIEWER_DIST_DIR = path.resolve(VIEWER_UI_ROOT, '..', '..', '..', 'dist', 'viewer');

/** The Vite config that builds the UI into `outDir`. */
export function viewerViteConfig(outDir: string = VIEWER_DIST_DIR): InlineConfig {
  return {
    configFile: false,
    root: VIEWER_UI_ROOT,
    base: './',
    logLevel: 'warn',
    build: {
      outDir,
      emptyOutDir: true,
      target: 'es2022',
      chunkSizeWarningLimit: 2000,
      reportCompressedSize: false,
    },
  };
}

export default defineConfig(viewerViteConfig());
