// The request thread's entry: from a checkout (TypeScript sources), tsx's loader first; compiled, straight in.
import { workerData } from 'node:worker_threads';

if (workerData.module.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.module);
