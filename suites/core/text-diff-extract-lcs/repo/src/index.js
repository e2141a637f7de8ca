export { diffLines, splitLines } from './line-diff.js';
export { diffWords, tokenizeWords } from './word-diff.js';
export { applyDiff, PatchError, reverseDiff } from './patch.js';
export { createPatch, formatUnified, formatWordDiff } from './format.js';
