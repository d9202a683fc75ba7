import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { parse as parseUuid, v5 as uuidv5 } from 'uuid';
import { contentUuidFor, VSS_CONTENT_NAMESPACE } from './identity.js';

describe('contentUuidFor', () => {
  it('is a stable UUIDv5 of the cas_id: every device computes the same address', () => {
    const casId = 'af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262'; // BLAKE3 of no bytes
    const uuid = contentUuidFor(casId);
    assert.match(uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // Pinned: if this changes, every library's content addresses change with it.
    assert.equal(uuid, contentUuidFor(casId));
    assert.equal(uuid, PINNED_EMPTY_UUID);
    assert.notEqual(contentUuidFor(casId.replace(/2$/, '3')), uuid);
  });

  it('is what the uuid package computes, for any name', () => {
    const ns = parseUuid(VSS_CONTENT_NAMESPACE);
    const names = ['', 'a', 'é☕', ...Array.from({ length: 500 }, () => randomBytes(32).toString('hex'))];
    for (const name of names) assert.equal(contentUuidFor(name), uuidv5(name, ns), name);
  });
});

// Cross-checked with Python: uuid.uuid5(UUID(VSS_CONTENT_NAMESPACE), casId).
const PINNED_EMPTY_UUID = 'aea76d41-776b-5a78-8866-66c1c17c40e2';
