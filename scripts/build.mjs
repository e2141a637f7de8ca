#!/usr/bin/env node
// Compiles src/ to JavaScript in lib/ (or --out DIR) and copies the files the compiled code reads beside it:
// the store's migrations, the scripts run inside the sandbox, and the viewer UI sources Vite builds on demand.
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outIndex = process.argv.indexOf('--out');
const outDir = path.resolve(outIndex > 0 ? process.argv[outIndex + 1] : path.join(root, 'lib'));

rmSync(outDir, { recursive: true, force: true });
execFileSync(
  process.execPath,
  [
    path.join(root, 'node_modules/typescript/bin/tsc'),
    '-p',
    path.join(root, 'tsconfig.build.json'),
    '--outDir',
    outDir,
  ],
  { stdio: 'inherit' },
);
const assets = [
  'src/store/migrations',
  'src/external/sandbox-bridge/bridge.mjs',
  'src/external/mini-agent/mini-agent.mjs',
  'src/sandbox/exec-server/exec-server.mjs',
  'src/sandbox/process-spawner/process-spawner.mjs',
  'src/providers/request-thread/request-thread-entry.mjs',
  'src/viewer/ui',
];
for (const asset of assets) {
  cpSync(path.join(root, asset), path.join(outDir, path.relative('src', asset)), {
    recursive: true,
    filter: (source) => !source.endsWith('.test.ts'),
  });
}
process.stdout.write(`compiled to ${path.relative(root, outDir) || '.'}\n`);
