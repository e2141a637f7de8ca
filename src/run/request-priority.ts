/**
 * The priority of an attempt's next model request in its endpoint's queue (greater goes first; ties keep their
 * order of arrival), from how many requests the attempt has already made:
 *
 * - while attempts still wait to start, the attempts furthest along go first: an attempt under way finishes, grades
 *   and makes room for the next one while the others think, instead of every attempt's later requests waiting
 *   behind the first requests of attempts that just started (which lengthens every attempt, and with it the time
 *   its wall-clock limit sees);
 * - once every attempt has started, the attempts with the most work left go first (the fewest requests so far):
 *   longest-remaining-first keeps all slots busy until the end, so that the run's last requests end together
 *   instead of one attempt's last step running alone after the others' tools and grading.
 */
export function requestPriority(requestsDone: number, attemptsWaitingToStart: boolean): number {
  return attemptsWaitingToStart ? requestsDone : -requestsDone;
}
