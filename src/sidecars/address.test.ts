import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseSidecarRelPath, parseSidecarUri, sidecarAbsPath, sidecarAddress, sidecarRelPath, sidecarUri } from './address.js';
import { SIDECAR_KINDS, SIDECAR_KIND_NAMES } from './kinds.js';

const UUID = '550e8400-e29b-41d4-a716-446655440000';

describe('sidecar addresses', () => {
  it('build the path and URI of DESIGN §2', () => {
    const a = sidecarAddress(UUID, 'thumb', 'grid@2x');
    assert.equal(sidecarRelPath(a), 'sidecars/content/55/0e/550e8400-e29b-41d4-a716-446655440000/thumbs/grid@2x.webp');
    assert.equal(sidecarUri(a), 'sidecar://550e8400-e29b-41d4-a716-446655440000/thumbs/grid@2x.webp');
    assert.equal(sidecarAbsPath('/lib/X.sdlibrary', a), '/lib/X.sdlibrary/sidecars/content/55/0e/550e8400-e29b-41d4-a716-446655440000/thumbs/grid@2x.webp');
  });

  it('round-trip every kind and fixed variant through URI and path', () => {
    for (const kind of SIDECAR_KIND_NAMES) {
      const spec = SIDECAR_KINDS[kind];
      const variants = spec.variants === 'open' ? ['all-minilm-l6-v2'] : Object.keys(spec.variants);
      for (const variant of variants) {
        for (const format of spec.formats) {
          const a = sidecarAddress(UUID, kind, variant, format);
          assert.deepEqual(parseSidecarUri(sidecarUri(a)), a);
          assert.deepEqual(parseSidecarRelPath(sidecarRelPath(a)), a);
        }
      }
    }
  });

  it('refuse hostile or unknown parts with a clear error', () => {
    const bad: Array<[string, string, string, string?]> = [
      [UUID, 'thumb', '../../x'],
      [UUID, 'thumb', '/etc/passwd'],
      [UUID, 'thumb', '%2e%2e'],
      [UUID, 'thumb', '..'],
      [UUID, 'thumb', 'grid@3x'],
      [UUID, 'embeddings', 'a/b'],
      [UUID, 'embeddings', '.hidden'],
      [UUID, 'embeddings', 'UPPER'],
      [UUID, 'thumb', 'grid@1x', 'png'],
      [UUID, 'thumb', 'grid@1x', '../x'],
      [UUID, '../thumb', 'grid@1x'],
      [UUID, 'nope', 'default'],
      ['../../etc', 'thumb', 'grid@1x'],
      [UUID.toUpperCase(), 'thumb', 'grid@1x'],
    ];
    for (const [u, k, v, f] of bad) assert.throws(() => sidecarAddress(u, k, v, f), /invalid|unknown|has no variant|not /, `${u} ${k} ${v} ${f}`);
    for (const uri of [
      `sidecar://${UUID}/thumbs/..%2f..%2fx.webp`,
      `sidecar://${UUID}/thumbs/../../x.webp`,
      `sidecar://${UUID}/../thumbs/grid@1x.webp`,
      `sidecar://${UUID}/etc/passwd`,
      `sidecar://${UUID}/thumbs/grid@1x`,
      `file:///etc/passwd`,
    ]) assert.throws(() => parseSidecarUri(uri), /sidecar|unknown|invalid|format|variant/, uri);
  });

  it('ignore paths under sidecars/ that are not addresses', () => {
    for (const rel of [
      'sidecars/content/55/0e/550e8400-e29b-41d4-a716-446655440000/thumbs/grid@9x.webp',
      'sidecars/content/00/0e/550e8400-e29b-41d4-a716-446655440000/thumbs/grid@1x.webp',
      'sidecars/content/55/0e/550e8400-e29b-41d4-a716-446655440000/thumbs/.vss-tmp-grid@1x.webp.abc',
      'sidecars/other/x',
    ]) assert.equal(parseSidecarRelPath(rel), null, rel);
  });
});
