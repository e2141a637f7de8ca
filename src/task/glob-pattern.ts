/**
 * Compiles a glob (`**` any directories, `*` and `?` within one path segment, `{a,b}` alternatives) to a regular
 * expression over `/`-separated paths relative to the workspace root. `dir/**` matches everything under `dir`.
 */
export function globToRegularExpression(glob: string): RegExp {
  let source = '';
  let braceDepth = 0;
  const pattern = glob.replace(/^\.\//, '');
  for (let index = 0; index < pattern.length; index++) {
    const character = pattern[index];
    if (character === '*') {
      if (pattern[index + 1] === '*') {
        const atSegmentStart = index === 0 || pattern[index - 1] === '/';
        const atSegmentEnd = index + 2 === pattern.length || pattern[index + 2] === '/';
        if (atSegmentStart && atSegmentEnd) {
          source += pattern[index + 2] === '/' ? '(?:.*/)?' : '.*';
          index += pattern[index + 2] === '/' ? 2 : 1;
          continue;
        }
        index++;
      }
      source += '[^/]*';
    } else if (character === '?') source += '[^/]';
    else if (character === '{') {
      braceDepth++;
      source += '(?:';
    } else if (character === '}' && braceDepth > 0) {
      braceDepth--;
      source += ')';
    } else if (character === ',' && braceDepth > 0) source += '|';
    else source += character.replace(/[.+^$()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}
