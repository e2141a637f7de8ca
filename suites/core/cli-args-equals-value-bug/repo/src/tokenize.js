/**
 * Splits raw argv into tokens:
 *   { kind: 'long', name, value? }   for --name or --name=value
 *   { kind: 'short', name }          for each letter of -abc
 *   { kind: 'positional', value }    for anything else
 */
export function tokenize(argv) {
  const tokens = [];
  for (const arg of argv) {
    if (arg.startsWith('--') && arg.length > 2) {
      const [name, value] = arg.slice(2).split('=');
      tokens.push(value === undefined ? { kind: 'long', name } : { kind: 'long', name, value });
    } else if (arg.startsWith('-') && arg.length > 1 && !/^-\d/.test(arg)) {
      for (const letter of arg.slice(1)) tokens.push({ kind: 'short', name: letter });
    } else {
      tokens.push({ kind: 'positional', value: arg });
    }
  }
  return tokens;
}
