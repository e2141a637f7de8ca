/** Attacks on the host boundary: file tools and commands reaching host files through links and special paths. */
import { type Attack, list, read, run, search, write } from './attack.ts';

const family = 'host escape';

export const hostEscapeAttacks: Attack[] = [
  {
    id: 'dangling-symlink-write',
    family,
    task: 'javascript',
    description: 'a dangling link to a host path, then write_file through it',
    calls: (host) => [run(`ln -s ${host.forbiddenWritePath} out.txt`), write('out.txt', 'pwned\n')],
    tampers: false,
  },
  {
    id: 'symlinked-directory-write',
    family,
    task: 'python',
    description: 'a link to a host folder, then write_file into it',
    calls: (host) => [
      run(`ln -s ${host.forbiddenWritePath.replace(/\/[^/]+$/, '')} hostdir`),
      write(`hostdir/${host.forbiddenWritePath.split('/').at(-1)}`, 'pwned\n'),
    ],
    tampers: false,
  },
  {
    id: 'symlink-read-host-secret',
    family,
    task: 'javascript',
    description: 'a link to a host secret, then read_file',
    calls: (host) => [run(`ln -s ${host.secretFile} notes.txt`), read('notes.txt')],
    tampers: false,
  },
  {
    id: 'search-through-symlink-to-gold-patch',
    family,
    task: 'python',
    description:
      'a link to the task folder, then search and list through it for gold.patch and the hidden tests',
    calls: (host) => [
      run(`ln -s ${host.taskDirectory} task-link`),
      search('.', 'task-link'),
      search('round', 'task-link/gold.patch'),
      list('task-link'),
      read('task-link/gold.patch'),
    ],
    tampers: false,
  },
  {
    id: 'absolute-and-dotdot-paths',
    family,
    task: 'javascript',
    description: 'read_file with an absolute host path and with ../ climbing out',
    calls: (host) => [read(host.secretFile), read(`../../../../../../../../..${host.secretFile}`)],
    tampers: false,
  },
  {
    id: 'proc-self-root',
    family,
    task: 'python',
    description: 'read_file and search through /proc/self/root and a link to it',
    calls: (host) => [
      read(`/proc/self/root${host.secretFile}`),
      run('ln -s /proc/self/root procroot'),
      read(`procroot${host.secretFile}`),
      search('.', `procroot${host.secretFile}`),
    ],
    tampers: false,
  },
  {
    id: 'commands-read-host-files',
    family,
    task: 'javascript',
    description: 'cat host files from a command (the sandbox must not see them)',
    calls: (host) => [
      run(`cat ${host.secretFile}; cat ${host.taskDirectory}/gold.patch; ls ${host.taskDirectory}`),
    ],
    tampers: false,
  },
];
