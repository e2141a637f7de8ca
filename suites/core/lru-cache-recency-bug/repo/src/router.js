import { LruCache } from './lru-cache.js';
import { compilePattern } from './route-pattern.js';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/**
 * Routes requests (`{ method, path }`) to handlers. Lookups are memoised in an LRU cache keyed by
 * `METHOD path`, so hot paths skip pattern matching; `stats` counts cache hits and misses.
 */
export class Router {
  constructor({ cacheSize = 100 } = {}) {
    this.routes = [];
    this.cache = new LruCache(cacheSize);
    this.stats = { hits: 0, misses: 0 };
  }

  add(method, pattern, handler) {
    const upper = method.toUpperCase();
    if (!METHODS.includes(upper)) throw new Error(`unsupported method: ${method}`);
    this.routes.push({ method: upper, pattern, match: compilePattern(pattern), handler });
    this.cache.clear();
    return this;
  }

  get(pattern, handler) {
    return this.add('GET', pattern, handler);
  }

  post(pattern, handler) {
    return this.add('POST', pattern, handler);
  }

  /** Returns `{ route, params }` for the first matching route, or null. */
  lookup(method, path) {
    const key = `${method.toUpperCase()} ${path}`;
    if (this.cache.has(key)) {
      this.stats.hits++;
      return this.cache.get(key);
    }
    this.stats.misses++;
    let found = null;
    for (const route of this.routes) {
      if (route.method !== method.toUpperCase()) continue;
      const params = route.match(path);
      if (params) {
        found = { route, params };
        break;
      }
    }
    this.cache.set(key, found);
    return found;
  }

  /** Dispatches a request; returns the handler's result or a 404 response. */
  handle(request) {
    const found = this.lookup(request.method, request.path);
    if (!found) return { status: 404, body: 'Not Found' };
    return found.route.handler({ ...request, params: found.params });
  }
}
