export { LruCache } from './lru-cache.js';
export { Router } from './router.js';
export { compilePattern, splitPath } from './route-pattern.js';
