/** Default way to wait: resolves after `ms` milliseconds of real time. */
export function realSleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
