import { existsSync } from 'node:fs';

/** The user every sandboxed command runs as, inside the sandbox: never root. */
export const SANDBOX_USER = { name: 'shakedown', uid: 1000, gid: 1000 } as const;

/**
 * Entries of the host's /etc a sandboxed toolchain may need (dynamic linker, alternatives symlinks, CA
 * certificates, time zone, name-service switch, locale aliases, language runtimes' own config). Nothing that
 * holds keys or credentials: no shadow files, ssl/private, ssh, sudoers, npmrc, pip.conf, gitconfig, netrc or
 * machine-id. passwd and group are generated (see sandboxPasswd) rather than the host's.
 */
export const ETC_ALLOWLIST = [
  'alternatives',
  'ca-certificates',
  'ca-certificates.conf',
  'debian_version',
  'gai.conf',
  'host.conf',
  'hosts',
  'inputrc',
  'java-17-openjdk',
  'java-21-openjdk',
  'ld.so.cache',
  'ld.so.conf',
  'ld.so.conf.d',
  'locale.alias',
  'localtime',
  'lsb-release',
  'mime.types',
  'nsswitch.conf',
  'os-release',
  'protocols',
  'python3',
  'python3.11',
  'python3.12',
  'python3.13',
  'services',
  'ssl/certs',
  'ssl/openssl.cnf',
  'terminfo',
  'timezone',
] as const;

/** /etc/passwd inside the sandbox: root (for tools that look it up), the sandbox user and nobody. */
export function sandboxPasswd(): string {
  return [
    'root:x:0:0:root:/root:/usr/sbin/nologin',
    `${SANDBOX_USER.name}:x:${SANDBOX_USER.uid}:${SANDBOX_USER.gid}:shakedown sandbox:/tmp/home:/bin/bash`,
    'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin',
    '',
  ].join('\n');
}

/** /etc/group inside the sandbox. */
export function sandboxGroup(): string {
  return ['root:x:0:', `${SANDBOX_USER.name}:x:${SANDBOX_USER.gid}:`, 'nogroup:x:65534:', ''].join('\n');
}

/** Where the script setting a command's rlimits lies inside the sandbox (bash runs it through BASH_ENV). */
export const SANDBOX_LIMITS_FILE = '/etc/shakedown-limits.sh';

/** Where a sandbox session's exec server script lies inside the sandbox (see sandbox-session.ts). */
export const SANDBOX_EXEC_SERVER_FILE = '/etc/shakedown-exec-server.mjs';

/**
 * bwrap arguments building a read-only /etc from the allow-listed host entries that exist, the generated
 * passwd/group and limits script (`files`), and resolv.conf only when the network is on.
 */
export function minimalEtcArguments(
  files: { passwd: string; group: string; limits?: string; execServer?: string },
  network: boolean,
): string[] {
  const argv = ['--tmpfs', '/etc'];
  const entries: string[] = [...ETC_ALLOWLIST, ...(network ? ['resolv.conf'] : [])];
  for (const entry of entries) {
    const source = `/etc/${entry}`;
    if (existsSync(source)) argv.push('--ro-bind', source, source);
  }
  argv.push('--ro-bind', files.passwd, '/etc/passwd', '--ro-bind', files.group, '/etc/group');
  if (files.limits) argv.push('--ro-bind', files.limits, SANDBOX_LIMITS_FILE);
  if (files.execServer) argv.push('--ro-bind', files.execServer, SANDBOX_EXEC_SERVER_FILE);
  argv.push('--remount-ro', '/etc');
  return argv;
}
