export { parseVersion, formatVersion } from './parse.js';
export { compare, lt, gte } from './compare.js';
export { parseRange } from './range.js';
export { satisfies, maxSatisfying } from './satisfies.js';
