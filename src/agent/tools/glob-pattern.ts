/**
 * Compiles a glob (`*`, `**`, `?`, `{a,b}`, `[abc]`) into a RegExp matched against a `/`-separated relative path.
 * A glob without `/` matches the file's base name anywhere (like ripgrep's `--glob '*.ts'`).
 */
export function compileGlob(glob: string): (relativePath: string) => boolean {
  const matchBaseName = !glob.includes('/');
  let source = '';
  let braceDepth = 0;
  for (let index = 0; index < glob.length; index++) {
    const character = glob[index]!;
    if (character === '*') {
      if (glob[index + 1] === '*') {
        index++;
        if (glob[index + 1] === '/') {
          index++;
          source += '(?:.*/)?';
        } else {
          source += '.*';
        }
      } else {
        source += '[^/]*';
      }
    } else if (character === '?') {
      source += '[^/]';
    } else if (character === '{') {
      braceDepth++;
      source += '(?:';
    } else if (character === '}' && braceDepth > 0) {
      braceDepth--;
      source += ')';
    } else if (character === ',' && braceDepth > 0) {
      source += '|';
    } else if (character === '[') {
      const close = glob.indexOf(']', index + 1);
      if (close === -1) {
        source += '\\[';
      } else {
        source += `[${glob
          .slice(index + 1, close)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\')}]`;
        index = close;
      }
    } else {
      source += character.replace(/[.+^$()|\\\]]/g, '\\$&');
    }
  }
  const expression = new RegExp(`^${source}$`);
  return (relativePath) =>
    expression.test(matchBaseName ? (relativePath.split('/').pop() ?? relativePath) : relativePath);
}
