/**
 * The folder a protect makes for its copies: in a location on a drive it chose, or under a bucket
 * volume's prefix. Here, below both the Guardian and the locations: a bucket location's scan
 * leaves it out (what a protect uploaded there counts as the bucket's copies already).
 */
export const PROTECT_FOLDER = 'vss-protect';
