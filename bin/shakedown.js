#!/usr/bin/env node
// Runs the TypeScript CLI directly through tsx, so the installed command is always the checked-out source.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
