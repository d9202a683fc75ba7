import { describeExamples } from '../support/doc-examples.js';

// The guide's pages named for this file in test/support/doc-examples.ts, their shell examples run as written.
describeExamples('two-devices');
