/**
 * One viewer API request in a process of its own, so that its peak memory is the endpoint's: opens the store of
 * DATA_DIR, builds the viewer app (API only, no UI build) and answers PATH once (`-` answers nothing: the baseline).
 * Prints `{"ms": <time of the request>, "bytes": <body size>, "status": <HTTP status>}`.
 *
 * Usage: `tsx bench/viewer-endpoint-process.ts DATA_DIR PATH`
 */
import { openStore } from '../src/store/store.ts';
import { createViewerApp } from '../src/viewer/server.ts';

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
