/** Small text helpers shared by every layer: "did you mean" suggestions and glob matching. */

export { closestMatch, didYouMean, editDistance } from './closest-match.ts';
export { type GlobMatcherOptions, globMatcher } from './glob-matcher.ts';
