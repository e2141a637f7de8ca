import { Command, InvalidArgumentError } from 'commander';
import { DEFAULT_VIEWER_PORT, startViewerServer, type ViewerServer } from '../viewer/server.ts';
import { resolveDataDir } from './resolve-data-dir.ts';

/** Options of `shakedown view`. */
export interface ViewOptions {
  port: number;
  /** The store to read; default: shakedown.yaml's dataDir, else .shakedown. */
  dataDir?: string;
  host: string;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new InvalidArgumentError('expected a port 0..65535');
  return port;
}

/** A listen error as one line with the fix: a port in use names `--port`. Other errors pass through. */
export function explainListenError(error: unknown, port: number): Error {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') {
    return new Error(
      `port ${port} is already in use (another viewer?): pass --port <another port>, or --port 0 for any free port`,
    );
  }
  if (code === 'EACCES') {
    return new Error(`no permission to listen on port ${port}: pass --port with a port above 1023`);
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** Starts the viewer and prints its URL; it serves until the process is interrupted. */
export async function runView(
  options: ViewOptions,
  print: (line: string) => void = console.log,
): Promise<ViewerServer> {
  const dataDir = await resolveDataDir(options.dataDir);
  const server = await startViewerServer({ dataDir, port: options.port, host: options.host }).catch(
    (error: unknown) => {
      throw explainListenError(error, options.port);
    },
  );
  print(`shakedown viewer: ${server.url} (store ${server.store.path}); Ctrl-C to stop`);
  const stop = () => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return server;
}

/** `shakedown view`: a local web app over the run store (runs, model comparison, matrix, transcripts). */
export function createViewCommand(): Command {
  return new Command('view')
    .description('browse runs, model comparisons and attempt transcripts in a local web app')
    .option('--port <port>', `port to listen on (0: any free port)`, parsePort, DEFAULT_VIEWER_PORT)
    .option('--data-dir <dir>', "the store to read (default: shakedown.yaml's dataDir, else .shakedown)")
    .option('--host <host>', 'interface to bind (default local only)', '127.0.0.1')
    .action(async (options: ViewOptions, command: Command) => {
      try {
        await runView(options);
      } catch (error) {
        command.error(`shakedown view: ${(error as Error).message}`, { exitCode: 1 });
      }
    });
}
