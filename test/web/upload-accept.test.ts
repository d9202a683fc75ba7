import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RAW_EXTENSIONS } from '../../src/content/raw-formats.js';
import { importWebModule } from './web-module.js';

const { UPLOAD_ACCEPT } = await importWebModule<{ UPLOAD_ACCEPT: string }>('upload-accept.ts');

describe("the upload picker's accept list", () => {
  it('offers photos, videos and every RAW format vss reads (CRW and X3F among them)', () => {
    const offered = new Set(UPLOAD_ACCEPT.split(','));
    for (const kind of ['image/*', 'video/*', '.heic']) assert.ok(offered.has(kind), kind);
    const missing = RAW_EXTENSIONS.filter((ext) => !offered.has(`.${ext}`));
    assert.deepEqual(missing, [], `RAW formats the picker does not offer: ${missing.join(', ')}`);
    assert.ok(RAW_EXTENSIONS.includes('crw') && RAW_EXTENSIONS.includes('x3f'));
  });
});
