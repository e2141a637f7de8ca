import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { BubblewrapSandbox } from './bubblewrap-sandbox.ts';
import { ContainerSandbox, DEFAULT_CONTAINER_IMAGE } from './container-sandbox.ts';
import { detectSandboxSupport } from './detect-sandbox-support.ts';
import { findExecutable } from './find-executable.ts';
import { resolveLimits } from './limits.ts';
import { detectToolchains } from './toolchain-paths.ts';
import type { Sandbox, SandboxOptions, SandboxSupport } from './types.ts';
import { UnconfinedSandbox } from './unconfined-sandbox.ts';

function unavailableError(support: SandboxSupport): Error {
  return new Error(
    `sandbox backend '${support.backend}' is unavailable: ${support.reason}. Fix: ${support.fix}`,
  );
}

async function existingDirectory(directory: string, what: string): Promise<string> {
  const resolved = await realpath(path.resolve(directory)).catch(() => {
    throw new Error(`${what} ${directory} does not exist`);
  });
  if (!(await stat(resolved)).isDirectory()) throw new Error(`${what} ${directory} is not a directory`);
  return resolved;
}

/** 'auto': bubblewrap on Linux when it works, else a running docker, else podman; never silently 'none'. */
async function chooseBackend(): Promise<SandboxSupport['backend']> {
  const tried: SandboxSupport[] = [];
  const candidates: SandboxSupport['backend'][] =
    process.platform === 'linux' ? ['bubblewrap', 'docker', 'podman'] : ['docker', 'podman'];
  for (const candidate of candidates) {
    const support = await detectSandboxSupport(candidate);
    if (support.available) return candidate;
    tried.push(support);
  }
  throw new Error(
    `no sandbox backend works on this host:\n${tried
      .map((support) => `- ${support.backend}: ${support.reason}. Fix: ${support.fix}`)
      .join('\n')}\n(--sandbox none runs commands unisolated, only if you accept that risk)`,
  );
}

/**
 * Creates the sandbox every command of an attempt runs in. The workspace (resolved to its real path) is
 * the only writable host directory and is mounted at its SAME absolute path inside; `exec`'s `cwd` is
 * relative to it. Throws, with the reason and a concrete fix, when the requested backend cannot run.
 */
export async function createSandbox(workspaceDir: string, options: SandboxOptions = {}): Promise<Sandbox> {
  const workspace = await existingDirectory(workspaceDir, 'workspace');
  const limits = resolveLimits(options.limits);
  const readOnlyPaths = await Promise.all(
    (options.readOnlyPaths ?? []).map((readOnlyPath) => existingDirectory(readOnlyPath, 'read-only path')),
  );
  const requested = options.backend ?? 'auto';
  const backend = requested === 'auto' ? await chooseBackend() : requested;

  if (backend === 'none') {
    options.onWarning?.(
      "sandbox backend 'none': commands run directly on the host with NO filesystem or network isolation",
    );
    return UnconfinedSandbox.create(workspace, limits, detectToolchains(), options.env);
  }

  const support = await detectSandboxSupport(backend);
  if (!support.available) throw unavailableError(support);

  if (backend === 'bubblewrap') {
    const toolchains = detectToolchains();
    return new BubblewrapSandbox({
      bwrapPath: findExecutable('bwrap')!,
      workspaceDir: workspace,
      limits,
      readOnlyPaths: [...new Set([...toolchains.readOnlyPaths, ...readOnlyPaths])],
      toolchains,
      env: options.env,
      onWarning: options.onWarning,
    });
  }
  if (readOnlyPaths.length > 0) {
    options.onWarning?.(`readOnlyPaths are ignored by the ${backend} backend: put toolchains in the image`);
  }
  return new ContainerSandbox({
    backend,
    cliPath: findExecutable(backend)!,
    image: options.image ?? DEFAULT_CONTAINER_IMAGE,
    workspaceDir: workspace,
    limits,
    env: options.env,
  });
}
