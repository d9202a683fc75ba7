import { describe } from 'node:test';
import { randomRuns, randomRunsTitle } from './random-runs.js';

// The safety model's random runs, the second of three parts (the others: safety.test.ts, safety-part3.test.ts).
describe(randomRunsTitle(2, 3), randomRuns(2, 3));
