import { parseVersion } from './parse.js';

function toVersion(value) {
  return typeof value === 'string' ? parseVersion(value) : value;
}

/** -1, 0 or 1, following semver precedence (a prerelease sorts before its release). */
export function compare(left, right) {
  const a = toVersion(left);
  const b = toVersion(right);
  for (const key of ['major', 'minor', 'patch']) {
    if (a[key] !== b[key]) return a[key] < b[key] ? -1 : 1;
  }
  if (a.prerelease.length === 0 || b.prerelease.length === 0) {
    return Math.sign(b.prerelease.length - a.prerelease.length);
  }
  for (let index = 0; index < Math.max(a.prerelease.length, b.prerelease.length); index++) {
    const x = a.prerelease[index];
    const y = b.prerelease[index];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'string') return -1;
    if (typeof x === 'string' && typeof y === 'number') return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

export const lt = (a, b) => compare(a, b) < 0;
export const gte = (a, b) => compare(a, b) >= 0;
