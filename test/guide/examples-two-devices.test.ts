import { describe, it } from 'node:test';
import { EXAMPLES_SKIP, PAGE_MS, pageTest } from '../support/doc-example-run.js';
import { EXAMPLE_FILES } from '../support/doc-examples.js';

// The pages test/support/doc-examples.ts names for this file (EXAMPLE_FILES), their shell examples run as written, one page after the other.
describe("the guide's examples: two devices on one machine, the phone", { skip: EXAMPLES_SKIP }, () => {
  for (const page of EXAMPLE_FILES['two-devices']!) it(`${page}: every shell block runs, in order, and exits 0`, { timeout: PAGE_MS }, pageTest(page));
});
