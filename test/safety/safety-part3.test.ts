import { describe } from 'node:test';
import { randomRuns, randomRunsTitle } from './random-runs.js';

// The safety model's random runs, the third of three parts (the others: safety.test.ts, safety-part2.test.ts).
describe(randomRunsTitle(3, 3), randomRuns(3, 3));
