import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FACE_NETS, faceModelFiles, manifestProblem } from './face-model.js';

const files = faceModelFiles();
const skip = 'problem' in files ? `the face model is not installed here: ${files.problem}` : false;

test('the installed model is found whole; a damaged or missing file is one clear reason', { skip }, () => {
  if ('problem' in files) return;
  for (const net of FACE_NETS) assert.equal(manifestProblem(files.modelDir, net), undefined, net);
  const dir = mkdtempSync(join(tmpdir(), 'vss-face-model-'));
  try {
    const net = 'face_recognition_model';
    copyFileSync(join(files.modelDir, `${net}-weights_manifest.json`), join(dir, `${net}-weights_manifest.json`));
    assert.match(manifestProblem(dir, net)!, /weights .* are missing; run npm ci/);
    copyFileSync(join(files.modelDir, `${net}.bin`), join(dir, `${net}.bin`));
    assert.equal(manifestProblem(dir, net), undefined);
    truncateSync(join(dir, `${net}.bin`), 1000);
    assert.match(manifestProblem(dir, net)!, /are damaged \(1000 bytes, \d+ expected\); run npm ci/);
    writeFileSync(join(dir, `${net}-weights_manifest.json`), '{"not": "a manifest"');
    assert.match(manifestProblem(dir, net)!, /cannot be read/);
    writeFileSync(join(dir, `${net}-weights_manifest.json`), JSON.stringify([{ paths: ['../../etc/passwd'], weights: [] }]));
    assert.match(manifestProblem(dir, net)!, /outside its folder/);
    unlinkSync(join(dir, `${net}-weights_manifest.json`));
    assert.match(manifestProblem(dir, net)!, /cannot be read/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
