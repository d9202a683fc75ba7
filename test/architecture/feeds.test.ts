import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Field, Fields } from '../../src/sync/messages/fields.js';
import { FEEDS, PEER_MESSAGES, PROTOCOLS } from '../../src/sync/messages/table.js';
import { sourceFiles } from './source-imports.js';

/*
 * "A new kind of 'changes since a cursor' data is one feed registered with the feed engine
 * (src/sync/feeds/), never a protocol of its own" (docs/architecture.md). Three checks keep it so:
 * the protocols are the feed engine's and an allow-list of protocols that are not feeds; no
 * message outside the feed protocol carries a cursor; and only the engine speaks the feed protocol.
 */

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const SRC = join(REPO, 'src');

/**
 * The protocols that are not "what changed since a cursor", each for its reason: pairing, where
 * members listen, "who has X?" right now, transfers of sidecars and originals by address,
 * Spacedrop, a relay asked to carry strangers while a code is open, a mapped port dialled back,
 * a copy locked for another device's drop, a removal told once to the device it removes. A
 * protocol that is not one of these and not `feed` is a hand-made feed.
 */
const NOT_FEEDS = ['pair', 'members', 'availability', 'fetch', 'original', 'drop', 'relayWindow', 'relayBrowsers', 'browserHttp', 'dialback', 'lock', 'removal', 'browse'];

/** Field names that say "since where": a cursor, a sequence number, an epoch, a position to resume from. */
const CURSOR_FIELD = /^(seq|epoch|cursor|since|from_seq|to_seq|after(_.*)?|resume|position|version_vector)$/;

/** Every field name in FIELDS, nested ones as `a.b`. */
function fieldNames(fields: Fields, prefix = ''): string[] {
  const out: string[] = [];
  const walk = (name: string, field: Field): void => {
    out.push(name);
    switch (field.type) {
      case 'object':
        out.push(...fieldNames(field.fields, `${name}.`));
        return;
      case 'array':
      case 'optional':
      case 'nullable':
        walk(name, field.of);
        return;
      case 'tuple':
        field.of.forEach((f) => walk(name, f));
        return;
      default:
    }
  };
  for (const [k, f] of Object.entries(fields)) walk(`${prefix}${k}`, f);
  return out;
}

describe('changes since a cursor are feeds (docs/architecture.md)', () => {
  it('every protocol is the feed engine\'s or one of the protocols that are not feeds', () => {
    const others = Object.keys(PROTOCOLS).filter((p) => p !== 'feed' && !NOT_FEEDS.includes(p));
    assert.deepEqual(others, [], `a protocol of its own for changes since a cursor: make it a feed (src/sync/feeds/) instead`);
  });

  it('no message outside the feed protocol carries a cursor', () => {
    const found: string[] = [];
    for (const [name, row] of Object.entries(PEER_MESSAGES)) {
      if (row.protocol === 'feed') continue;
      for (const field of fieldNames(row.fields)) if (CURSOR_FIELD.test(field.slice(field.lastIndexOf('.') + 1))) found.push(`${name}: ${field}`);
    }
    assert.deepEqual(found, [], 'a message that asks or answers "since where" belongs to a feed');
  });

  it('each feed is a head and a page of the feed protocol, and the engine\'s messages are the only others', () => {
    const engine = ['feed.pull', 'feed.ack', 'feed.end', 'feed.changed', 'feed.ok', 'feed.error'];
    const perFeed = FEEDS.flatMap((f) => [`feed.${f}.head`, `feed.${f}.page`]);
    const rows = Object.entries(PEER_MESSAGES).filter(([, r]) => r.protocol === 'feed').map(([n]) => n).sort();
    assert.deepEqual(rows, [...engine, ...perFeed].sort());
  });

  it('only the feed engine (src/sync/feeds/) speaks the feed protocol', () => {
    const speakers = sourceFiles(SRC).filter((file) => {
      if (file.startsWith('sync/feeds/')) return false;
      const text = readFileSync(join(SRC, file), 'utf8');
      return /PeerChannel\(\s*[^,()]+,\s*'feed'\s*\)|MessageChannel\([^)]*PROTOCOLS\.feed/.test(text);
    });
    assert.deepEqual(speakers, [], 'a feed says what its head and pages hold; the engine serves, pulls and notifies');
  });
});
