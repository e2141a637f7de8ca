#!/usr/bin/env node
// The published package runs the compiled JavaScript in lib/. A checkout runs its TypeScript sources through tsx
// (so the command is always the checked-out code), unless SHAKEDOWN_COMPILED=1 asks for lib/ (`npm run build`).
import { existsSync } from 'node:fs';

const compiled = new URL('../lib/cli/main.js', import.meta.url);
const source = new URL('../src/cli/main.ts', import.meta.url);
const useCompiled = !existsSync(source) || (process.env.SHAKEDOWN_COMPILED === '1' && existsSync(compiled));
if (useCompiled) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
}
