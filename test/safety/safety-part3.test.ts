import { describeRandomRuns } from './random-runs.js';

// The safety model's random runs, the third of three parts (the others: safety.test.ts, safety-part2.test.ts).
describeRandomRuns(3, 3);
