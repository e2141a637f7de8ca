/** Resolves a dotted path (`user.name`) in `data`; missing values are undefined. */
export function lookup(data, path) {
  return path.split('.').reduce((value, key) => (value == null ? undefined : value[key]), data);
}
