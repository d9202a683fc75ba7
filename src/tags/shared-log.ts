import type { Library } from '../library/library.js';
import type { SharedOp } from './shared-op.js';

/** Operations older than this are pruned even when a member has not read them: it gets a copy of the whole state instead (DESIGN §15). */
export const SHARED_LOG_DAYS = 30;

/**
 * Prune LIB's log of shared-data operations: every operation each paired device of the library has
 * read (its last pull asked from after it), and every one older than SHARED_LOG_DAYS. Returns how
 * many went.
 */
export function pruneSharedLog(lib: Library, now = Date.now()): number {
  const members = lib.store.devices.all().map((d) => d.uuid).filter((u) => u !== lib.device.uuid);
  const acks = lib.store.sharedAcks.of(members);
  const upto = members.length === 0 ? 0 : Math.min(...acks.values());
  return lib.store.sharedOps.prune(upto, now - SHARED_LOG_DAYS * 24 * 3600_000);
}

/**
 * The whole of LIB's shared data as operations (a copy for a device whose place in the log was
 * pruned): each record's fields grouped by the stamp they hold, so each is the operation (or the
 * part of it) that set them, with that operation's stamp. Merged anywhere, they give this state.
 */
export function* fullStateOps(lib: Library): Generator<SharedOp> {
  for (const t of lib.store.tags.all()) {
    for (const [hlc, set] of byStamp([[t.name_hlc, 'name', t.name], [t.color_hlc, 'color', t.color], [t.parent_hlc, 'parent', t.parent_uuid], [t.deleted_hlc, 'deleted', t.deleted === 1]])) {
      yield { hlc, record: 'tag', id: t.uuid, set } as SharedOp;
    }
  }
  for (const m of lib.store.userMetadata.all()) {
    for (const [hlc, set] of byStamp([[m.favorite_hlc, 'favorite', m.favorite === 1], [m.hidden_hlc, 'hidden', m.hidden === 1], [m.rating_hlc, 'rating', m.rating], [m.note_hlc, 'note', m.note]])) {
      yield { hlc, record: 'meta', id: m.content_uuid, set } as SharedOp;
    }
  }
  for (const r of lib.store.metadataTags.all()) yield { hlc: r.hlc, record: 'tagging', id: r.tag_uuid, content: r.content_uuid, set: { present: r.present === 1 } };
  for (const p of lib.store.people.all()) {
    for (const [hlc, set] of byStamp([[p.anchor_hlc, 'anchor', p.anchor], [p.name_hlc, 'name', p.name], [p.hidden_hlc, 'hidden', p.hidden === 1], [p.merged_hlc, 'merged_into', p.merged_into]])) {
      yield { hlc, record: 'person', id: p.person_id, set } as SharedOp;
    }
  }
  for (const c of lib.store.people.corrections()) yield { hlc: c.hlc, record: 'face', id: c.face_id, set: { person: c.person } };
  for (const a of lib.store.albums.all()) {
    for (const [hlc, set] of byStamp([[a.name_hlc, 'name', a.name], [a.parent_hlc, 'parent', a.parent_uuid], [a.query_hlc, 'query', a.query], [a.cover_hlc, 'cover', a.cover], [a.deleted_hlc, 'deleted', a.deleted === 1]])) {
      yield { hlc, record: 'album', id: a.uuid, set } as SharedOp;
    }
  }
  for (const r of lib.store.albumItems.all()) yield { hlc: r.hlc, record: 'album_item', id: r.album_uuid, content: r.content_uuid, set: { present: r.present === 1 } };
  for (const s of lib.store.stacks.all()) {
    for (const [hlc, set] of byStamp([[s.kind_hlc, 'kind', s.kind], [s.auto_cover_hlc, 'auto_cover', s.auto_cover], [s.cover_hlc, 'cover', s.cover], [s.deleted_hlc, 'deleted', s.deleted === 1]])) {
      yield { hlc, record: 'stack', id: s.uuid, set } as SharedOp;
    }
  }
  for (const r of lib.store.stackMembers.all()) yield { hlc: r.hlc, record: 'stack_member', id: r.stack_uuid, content: r.content_uuid, set: { present: r.present === 1 } };
  for (const o of lib.store.objects.all()) {
    for (const [hlc, set] of byStamp([[o.device_hlc, 'device', o.device_uuid], [o.kind_hlc, 'kind', o.kind], [o.path_hlc, 'path', o.path], [o.content_hlc, 'content', o.content_uuid], [o.deleted_hlc, 'deleted', o.deleted === 1]])) {
      yield { hlc, record: 'object', id: o.uuid, set } as SharedOp;
    }
  }
  for (const r of lib.store.libraryMembers.all()) yield { hlc: r.hlc, record: 'member', id: r.id, set: { body: r.body, sig_by: r.sig_by, sig_member: r.sig_member } };
  for (const k of lib.store.libraryKeys.all()) yield { hlc: k.hlc, record: 'bucket_key', id: k.id, set: { secret: k.secret.toString('hex') } };
}

/** FIELDS ([stamp, name, value]) grouped by the stamp they hold; a field no operation set ('') is left out. */
function byStamp(fields: ReadonlyArray<readonly [string, string, unknown]>): Map<string, Record<string, unknown>> {
  const by = new Map<string, Record<string, unknown>>();
  for (const [hlc, name, value] of fields) if (hlc !== '') (by.get(hlc) ?? by.set(hlc, {}).get(hlc)!)[name] = value;
  return by;
}
