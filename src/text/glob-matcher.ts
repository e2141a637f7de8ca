import picomatch from 'picomatch';

export interface GlobMatcherOptions {
  /** A glob without `/` matches a file's base name anywhere (like ripgrep's `--glob '*.ts'`). */
  matchBaseName?: boolean;
}

/**
 * A matcher for `/`-separated paths relative to a root, from one glob or several (`*`, `?`, `**`, `{a,b}`,
 * `[abc]`, `[!abc]`; dot files included; a leading `./` ignored). Picomatch does the matching.
 */
export function globMatcher(
  globs: string | string[],
  options: GlobMatcherOptions = {},
): (relativePath: string) => boolean {
  const patterns = (Array.isArray(globs) ? globs : [globs]).map((glob) =>
    // `[!abc]` is the shell's negated class; picomatch reads `!` there literally, `^` as negation.
    glob.replace(/^\.\//, '').replaceAll('[!', '[^'),
  );
  return picomatch(patterns, { dot: true, basename: options.matchBaseName ?? false });
}
