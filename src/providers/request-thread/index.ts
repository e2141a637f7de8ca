export { type HeldSlot, RequestThread, requestThread, type SentOnThread } from './request-thread.ts';
export type { SlotPlace } from './request-thread-protocol.ts';
