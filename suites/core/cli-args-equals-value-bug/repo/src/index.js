export { parseArgs } from './parse-args.js';
export { tokenize } from './tokenize.js';
export { ArgumentError } from './coerce.js';
export { formatHelp } from './help.js';
