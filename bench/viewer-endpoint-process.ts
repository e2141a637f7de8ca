/**
 * One viewer API request in a process of its own, so that its peak memory is the endpoint's: opens the store of
 * DATA_DIR, builds the viewer app (API only, no UI build) and answers PATH once (`-` answers nothing: the baseline).
 * Prints `{"ms": <time of the request>, "bytes": <body size>, "status": <HTTP status>}`.
 *
 * The store and viewer are the measured checkout's (MEASURED in bench-processes.ts).
 *
 * Usage: `tsx bench/viewer-endpoint-process.ts DATA_DIR PATH`
 */
import type { openStore as OpenStore } from '../src/store/store.ts';
import type { createViewerApp as CreateViewerApp } from '../src/viewer/server.ts';
import { importMeasured } from './bench-processes.ts';

// The measured checkout's store and viewer (an older commit under `--compare` has its store elsewhere).
const { openStore } = await importMeasured<{ openStore: typeof OpenStore }>([
  'src/store/store.ts',
  'src/run/store/store.ts',
]);
const { createViewerApp } = await importMeasured<{ createViewerApp: typeof CreateViewerApp }>([
  'src/viewer/server.ts',
]);

const [dataDir, requestPath] = process.argv.slice(2);
if (!dataDir || !requestPath) {
  console.error('usage: viewer-endpoint-process.ts DATA_DIR PATH');
  process.exit(2);
}
const store = openStore(dataDir);
const app = createViewerApp({ store });
let result = { ms: 0, bytes: 0, status: 0 };
if (requestPath !== '-') {
  const started = performance.now();
  const response = await app.request(requestPath);
  const body = await response.arrayBuffer();
  result = { ms: performance.now() - started, bytes: body.byteLength, status: response.status };
}
store.close();
console.log(JSON.stringify(result));
