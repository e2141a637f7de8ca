/**
 * Whether a process of this pid exists: signal 0 reaches it, or it exists but belongs to another user (EPERM).
 * Used to tell files, cgroups and mounts left by a crashed shakedown from those of one still running.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
