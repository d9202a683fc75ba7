import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadGuardedPdfWorker } from './guarded-worker.js';
import { fatalReason, pageTrouble } from './read-trouble.js';

test('what pdfjs skipped on a page: fatal when it ran out of room, a problem otherwise, nothing for a glyph', () => {
  assert.deepEqual(pageTrouble([]), {});
  // A broken glyph or annotation is not the page's content.
  assert.deepEqual(pageTrouble(['buildFontPaths - ignoring a glyph: "FormatError: bad".', 'Indexing all PDF objects']), {});
  assert.deepEqual(pageTrouble(['getOperatorList - ignoring XObject: "FormatError: Unknown compression method in flate stream: 0, 0".']), { problem: 'FormatError: Unknown compression method in flate stream: 0, 0' });
  assert.deepEqual(pageTrouble(['Invalid stream: "FormatError: Unknown compression method in flate stream: 116, 104"']), { problem: 'a stream could not be decoded: FormatError: Unknown compression method in flate stream: 116, 104' });
  assert.deepEqual(pageTrouble([
    'getOperatorList - ignoring errors during "GetOperatorList: page 0" task: "FormatError: Bad encoding in flate stream".',
    'getContentStream - ignoring sub-stream (4R): "RangeError: Array buffer allocation failed".',
  ]), { fatal: 'it needs more memory than a decoder may use' });
  assert.deepEqual(pageTrouble(['getTextContent - ignoring XObject: "Error: form XObject 5 0 R draws itself".']), { fatal: 'a form XObject draws itself (object 5 0 R)' });
  assert.deepEqual(pageTrouble(['getOperatorList - ignoring XObject: "RangeError: Maximum call stack size exceeded".']), { fatal: 'a form XObject draws itself (its drawing never ends)' });
  assert.equal(fatalReason('RangeError: Maximum call stack size exceeded'), 'its content nests without end');
  assert.equal(fatalReason('Error: forms nest more than 64 deep'), 'forms nest more than 64 deep');
  assert.equal(fatalReason('FormatError: Bad FCHECK in flate stream'), undefined);
});

test('the installed pdfjs takes the form guard (a new pdfjs that does not fails here first)', async () => {
  assert.equal(await loadGuardedPdfWorker(), true);
});
