import { describeRandomRuns } from './random-runs.js';

// The safety model's random runs, the second of three parts (the others: safety.test.ts, safety-part3.test.ts).
describeRandomRuns(2, 3);
