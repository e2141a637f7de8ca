const VERSION = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

/** Parses `1.2.3`, `v1.2.3-beta.1+build` into `{ major, minor, patch, prerelease: [] }`; throws on bad input. */
export function parseVersion(text) {
  const match = VERSION.exec(String(text).trim());
  if (!match) throw new TypeError(`invalid version: ${text}`);
  return {
    major: Number(match[1]),
    minor: Number(match[2]),
    patch: Number(match[3]),
    prerelease: match[4] ? match[4].split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : part)) : [],
  };
}

export function formatVersion({ major, minor, patch, prerelease = [] }) {
  return `${major}.${minor}.${patch}${prerelease.length ? `-${prerelease.join('.')}` : ''}`;
}
