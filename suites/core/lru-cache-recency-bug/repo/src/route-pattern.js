/**
 * Compiles a route pattern such as `/users/:id/posts/:postId` or `/static/*` into a matcher.
 * `:name` captures one path segment, a trailing `*` captures the rest of the path as `wildcard`.
 */
export function compilePattern(pattern) {
  if (!pattern.startsWith('/')) throw new Error(`route pattern must start with "/": ${pattern}`);
  const segments = splitPath(pattern);
  return function match(path) {
    const parts = splitPath(path);
    const params = {};
    for (let index = 0; index < segments.length; index++) {
      const segment = segments[index];
      if (segment === '*' && index === segments.length - 1) {
        params.wildcard = parts.slice(index).join('/');
        return params;
      }
      const part = parts[index];
      if (part === undefined) return null;
      if (segment.startsWith(':')) {
        params[segment.slice(1)] = decodeURIComponent(part);
      } else if (segment !== part) {
        return null;
      }
    }
    return parts.length === segments.length ? params : null;
  };
}

export function splitPath(path) {
  return path.split('?')[0].split('/').filter((part) => part !== '');
}
