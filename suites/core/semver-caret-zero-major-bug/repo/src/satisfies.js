import { compare } from './compare.js';
import { parseVersion } from './parse.js';
import { parseRange, testComparator } from './range.js';

/**
 * Whether `version` is in `range`. A prerelease version only matches when some comparator of the same
 * alternative names a prerelease of the same major.minor.patch (npm's rule).
 */
export function satisfies(version, range) {
  const candidate = parseVersion(version);
  return parseRange(range).some((comparators) => {
    if (!comparators.every((comparator) => testComparator(comparator, candidate))) return false;
    if (candidate.prerelease.length === 0) return true;
    return comparators.some(
      ({ version: bound }) =>
        bound.prerelease.length > 0 &&
        !(bound.prerelease.length === 1 && bound.prerelease[0] === 0) &&
        bound.major === candidate.major && bound.minor === candidate.minor && bound.patch === candidate.patch,
    );
  });
}

/** The highest of `versions` that satisfies `range`, or null. */
export function maxSatisfying(versions, range) {
  return versions.filter((version) => satisfies(version, range)).sort(compare).at(-1) ?? null;
}
