import { derivedUuid } from '../core/derived-uuid.js';
import type { Library } from '../library/library.js';
import { parseMetadata } from '../media/media-metadata.js';
import type { UnstampedOp } from '../tags/shared-data.js';
import { SharedData } from '../tags/shared-data.js';
import { proposeStacks, type Proposal, type Shot } from './stack-rules.js';

/** The rules' version: new rules look at every folder again. */
const STACK_RULES = 1;
/** Operations committed at once (a transaction each): a big first scan is not one long write. */
const OPS_PER_COMMIT = 2000;

/** The id of the stack a proposal's key names: the same on every device that finds it. */
function stackIdOf(key: string): string {
  return derivedUuid(`vss-stack:${key}`);
}

/**
 * Stack the photos of LOCATIONID's folders changed since CHANGEDSINCE (absent: every folder) by
 * the rules (`stack-rules.ts`), as shared data, so every device of the library sees the same
 * stacks. A stack found again gains the frames it lacks; a stack a user unstacked, and a content
 * a user took out of one, stay as the user left them; a content already in another stack stays
 * there.
 */
export function findStacks(lib: Library, locationId: number, changedSince?: number): void {
  const ops: UnstampedOp[] = [];
  // A location scanned before stacks were (or under other rules) is looked at whole once.
  const looked = `stacks:${STACK_RULES}:${locationId}`;
  const since = lib.store.syncMeta.get(looked) === undefined ? null : changedSince ?? null;
  for (const folder of lib.store.entries.folderIdsChangedSince(locationId, since)) {
    const shots = lib.store.entries.imagesIn(folder).map(shotOf);
    if (shots.length < 2) continue;
    for (const p of proposeStacks(shots)) ops.push(...opsFor(lib, p));
  }
  const shared = new SharedData(lib);
  for (let at = 0; at < ops.length; at += OPS_PER_COMMIT) shared.commit(ops.slice(at, at + OPS_PER_COMMIT));
  lib.store.syncMeta.set(looked, '1');
}

function shotOf(r: { name: string; content_uuid: string; mime: string; media_metadata: string | null }): Shot {
  const m = parseMetadata(r.media_metadata);
  const camera = [m?.camera?.make, m?.camera?.model].filter((x) => x !== undefined && x !== '').join(' ');
  return {
    content_uuid: r.content_uuid, name: r.name, mime: r.mime,
    taken_ms: cameraClockMs(m?.captured_at),
    sub_second: typeof m?.captured_at === 'string' && /T\d\d:\d\d:\d\d\.\d/.test(m.captured_at),
    camera, ...(m?.burst_uuid ? { burst_uuid: m.burst_uuid } : {}),
  };
}

/** The operations that make P's stack, or add what it lacks to the one its members are in already. */
function opsFor(lib: Library, p: Proposal): UnstampedOp[] {
  const rows = lib.store.stackMembers.rowsOfContents(p.members);
  const id = stackIdOf(p.key);
  const stacks = new Map(lib.store.stacks.some([...new Set([id, ...rows.map((r) => r.stack_uuid)])]).map((s) => [s.uuid, s] as const));
  const live = (uuid: string) => {
    const s = stacks.get(uuid);
    return s !== undefined && s.deleted === 0 && s.kind !== '';
  };
  // The stack its members are in already (a burst found again with a frame more), else the one its key names.
  const target = rows.filter((r) => r.present === 1 && live(r.stack_uuid) && stacks.get(r.stack_uuid)!.kind === p.kind).map((r) => r.stack_uuid).sort()[0] ?? id;
  if (stacks.get(target)?.deleted === 1) return [];
  const unstacked = new Set(rows.filter((r) => stacks.get(r.stack_uuid)?.deleted === 1).map((r) => r.content_uuid));
  const elsewhere = new Set(rows.filter((r) => r.present === 1 && r.stack_uuid !== target && live(r.stack_uuid)).map((r) => r.content_uuid));
  const inTarget = new Map(rows.filter((r) => r.stack_uuid === target).map((r) => [r.content_uuid, r.present] as const));
  const adding = p.members.filter((m) => !unstacked.has(m) && !elsewhere.has(m) && !inTarget.has(m));
  const present = [...inTarget.values()].filter((v) => v === 1).length;
  if (adding.length === 0 || present + adding.length < 2) return [];
  const ops: UnstampedOp[] = [];
  if (!stacks.has(target)) ops.push({ record: 'stack', id: target, set: { kind: p.kind, auto_cover: p.cover } });
  for (const m of adding) ops.push({ record: 'stack_member', id: target, content: m, set: { present: true } });
  return ops;
}

/**
 * The time the camera's clock showed (CAPTUREDAT without its zone), as ms: a RAW and its JPEG are
 * compared on it, since one may carry a zone (written, or inferred from its GPS) the other lacks.
 */
function cameraClockMs(capturedAt: string | undefined): number | null {
  const m = capturedAt === undefined ? null : /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d{1,3})?/.exec(capturedAt);
  if (!m) return null;
  const ms = Date.parse(`${m[1]}${m[2] ?? ''}Z`);
  return Number.isFinite(ms) ? ms : null;
}
