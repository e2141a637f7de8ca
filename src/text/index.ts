/** Small text helpers shared by every layer: "did you mean" suggestions. */

export { closestMatch, didYouMean, editDistance } from './closest-match.ts';
