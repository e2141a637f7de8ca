import { compare } from './compare.js';
import { parseVersion } from './parse.js';

/**
 * Parses a range into a list of alternatives (`||`), each a list of comparators `{ operator, version }`.
 * Supports `=`, `>`, `>=`, `<`, `<=`, `x` wildcards, tilde `~1.2.3` and caret `^1.2.3` ranges.
 */
export function parseRange(text) {
  return text.split('||').map((alternative) => alternative.trim().split(/\s+/).filter(Boolean).flatMap(expand));
}

function expand(part) {
  if (part === '*' || part === 'x') return [];
  if (part.startsWith('^')) return caret(parseVersion(part.slice(1)));
  if (part.startsWith('~')) return tilde(parseVersion(part.slice(1)));
  const match = /^(>=|<=|>|<|=)?(.*)$/.exec(part);
  const operator = match[1] ?? '=';
  const wildcard = /^(\d+)(?:\.(\d+|x))?(?:\.(x))?$/.exec(match[2]);
  if (wildcard && (match[2].includes('x') || match[2].split('.').length < 3) && operator === '=') {
    const major = Number(wildcard[1]);
    const minor = wildcard[2] === undefined || wildcard[2] === 'x' ? undefined : Number(wildcard[2]);
    if (minor === undefined) return between({ major, minor: 0, patch: 0 }, { major: major + 1, minor: 0, patch: 0 });
    return between({ major, minor, patch: 0 }, { major, minor: minor + 1, patch: 0 });
  }
  return [{ operator, version: parseVersion(match[2]) }];
}

function between(low, high) {
  return [
    { operator: '>=', version: { ...low, prerelease: [] } },
    { operator: '<', version: { ...high, prerelease: [0] } },
  ];
}

function tilde(version) {
  return [
    { operator: '>=', version },
    { operator: '<', version: { major: version.major, minor: version.minor + 1, patch: 0, prerelease: [0] } },
  ];
}

function caret(version) {
  return [
    { operator: '>=', version },
    { operator: '<', version: { major: version.major + 1, minor: 0, patch: 0, prerelease: [0] } },
  ];
}

export function testComparator({ operator, version }, candidate) {
  const order = compare(candidate, version);
  switch (operator) {
    case '>': return order > 0;
    case '>=': return order >= 0;
    case '<': return order < 0;
    case '<=': return order <= 0;
    default: return order === 0;
  }
}
