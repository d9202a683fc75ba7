import { describe } from 'node:test';
import { randomRuns, randomRunsTitle } from './random-runs.js';

// The safety model's random runs, the first of three parts (the others: safety-part2.test.ts, safety-part3.test.ts).
describe(randomRunsTitle(1, 3), randomRuns(1, 3));
