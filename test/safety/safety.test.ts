import { describeRandomRuns } from './random-runs.js';

// The safety model's random runs, the first of three parts (the others: safety-part2.test.ts, safety-part3.test.ts).
describeRandomRuns(1, 3);
