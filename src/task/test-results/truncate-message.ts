/** Longest message kept per test result. */
export const maximumMessageLength = 2000;

/** Cuts a failure message to {@link maximumMessageLength} characters, marking the cut. */
export function truncateMessage(message: string): string {
  return message.length <= maximumMessageLength ? message : `${message.slice(0, maximumMessageLength)}…`;
}
