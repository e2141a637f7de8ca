/**
 * Test helper run as a child process: downloads one remote GGUF model into a cache folder and prints each progress
 * report as a JSON line on stdout, then `{"file":…}` when done. Arguments: URI, cache folder.
 */
import { downloadGgufModel } from '../src/providers/gguf-download.ts';

const [uri, directory] = process.argv.slice(2);
if (!uri || !directory) throw new Error('usage: download-gguf-child URI DIRECTORY');
const file = await downloadGgufModel(uri, {
  directory,
  onProgress: (progress) => process.stdout.write(`${JSON.stringify(progress)}\n`),
});
process.stdout.write(`${JSON.stringify({ file })}\n`);
