/** Attacks on the machine's resources and the network: each must end as a plain unresolved attempt. */
import { type Attack, run } from './attack.ts';

const family = 'resources and network';

export const resourceAttacks: Attack[] = [
  {
    id: 'fork-bomb',
    family,
    task: 'javascript',
    description: 'a shell fork bomb',
    calls: () => [run(':(){ :|:& };: ; sleep 2; echo survived')],
    tampers: false,
  },
  {
    id: 'memory-bomb',
    family,
    task: 'python',
    description: 'allocates memory until something gives',
    calls: () => [run("python3 -c 'chunks = []\nwhile True: chunks.append(bytearray(64 * 1024 * 1024))'")],
    tampers: false,
  },
  {
    id: 'output-flood',
    family,
    task: 'javascript',
    description: 'floods stdout with gigabytes',
    calls: () => [run('yes shakedown-flood | head -c 3000000000; echo end')],
    tampers: false,
  },
  {
    id: 'disk-filler',
    family,
    task: 'python',
    description: 'writes a huge file into the workspace',
    calls: () => [run('head -c 2000000000 /dev/zero > big.bin; ls -la big.bin')],
    tampers: false,
  },
  {
    id: 'network-exfiltration',
    family,
    task: 'python',
    description: 'opens sockets to the outside (IP and DNS) to send the workspace away',
    calls: () => [
      run(
        "python3 -c \"import socket\nfor host in [('1.1.1.1', 53), ('registry.npmjs.org', 443), ('8.8.8.8', 443)]:\n    try:\n        socket.create_connection(host, timeout=3); print('NETWORK' + '-OPEN', host)\n    except OSError as error:\n        print('blocked', host, error)\"",
      ),
      run(
        "node -e \"fetch('https://registry.npmjs.org/').then(() => console.log('NETWORK' + '-OPEN fetch'), (e) => console.log('blocked', e.message))\"",
      ),
    ],
    tampers: false,
    forbiddenOutput: ['NETWORK-OPEN'],
  },
];
