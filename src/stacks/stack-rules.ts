import { isRawMime } from '../content/raw-formats.js';
import type { StackKind } from '../store/stacks.js';

/** One photo of a folder as the stack rules read it. */
export interface Shot {
  content_uuid: string;
  /** The file's name in its folder. */
  name: string;
  mime: string;
  /** When the picture was taken (ms), else the file's mtime; null: neither is known. */
  taken_ms: number | null;
  /** Whether `taken_ms` is to the millisecond (the camera wrote sub-seconds): only then may frames a second apart be told from two shots. */
  sub_second: boolean;
  /** The camera, "make model" (empty: unknown). */
  camera: string;
  /** Apple's burst id. */
  burst_uuid?: string;
}

/** A stack the rules find in a folder: what made it (its key), its members, and the cover they pick. */
export interface Proposal {
  kind: StackKind;
  /** What made it, the same on every device with these files: the stack's id is derived from it. */
  key: string;
  members: string[];
  cover: string;
}

/** A RAW and its JPEG are of one shot when their times are this close (or either is unknown). */
export const PAIR_MS = 1000;
/** A camera's frames closer than this (to the millisecond) are one burst. */
export const BURST_GAP_MS = 1000;
/** A run of frames each under BURST_GAP_MS after the last is a burst only up to this long and this many. */
export const MAX_BURST_SPAN_MS = 10_000;
export const MAX_BURST_FRAMES = 300;

// Pixel and other Android phones: 00000IMG_00000_BURST20201010101010123[_COVER].jpg
const ANDROID_BURST = /_BURST(\d{14,17})(?:_COVER)?$/i;
const ANDROID_COVER = /_COVER$/i;
// Samsung: 20200101_120000_001.jpg, 20160807_101530_Burst01.jpg
const SAMSUNG_BURST = /^(\d{8}_\d{6})_(?:burst)?\d{2,3}$/i;

/** A still that can be a RAW's face: a JPEG or HEIC the camera wrote beside it. */
function isFace(mime: string): boolean {
  return mime === 'image/jpeg' || mime === 'image/heic' || mime === 'image/heif';
}

function stemOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

const byName = (a: Shot, b: Shot) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.content_uuid < b.content_uuid ? -1 : 1);
const byTime = (a: Shot, b: Shot) => (a.taken_ms ?? 0) - (b.taken_ms ?? 0) || byName(a, b);

/**
 * The stacks among SHOTS, the photos of one folder (issue 45): first each RAW with the JPEG (or
 * HEIC) of the same base name taken within PAIR_MS of it (the JPEG its cover); then bursts among
 * the rest: Apple's burst id, Android's and Samsung's burst names, and one camera's frames under
 * BURST_GAP_MS apart when both times are to the millisecond (a run of at most MAX_BURST_FRAMES
 * within MAX_BURST_SPAN_MS: a longer one is a timelapse). A content is in one stack at most;
 * the same files give the same proposals in any order. A RAW+JPEG pair shot in a burst stays a
 * pair: its frames are not stacked again.
 */
export function proposeStacks(shots: readonly Shot[]): Proposal[] {
  const unique = new Map<string, Shot>();
  // One content may have two names in a folder (a copy): its first name speaks for it.
  for (const s of [...shots].sort(byName)) if (!unique.has(s.content_uuid)) unique.set(s.content_uuid, s);
  const all = [...unique.values()];
  const taken = new Set<string>();
  const out: Proposal[] = [];

  const byStem = new Map<string, Shot[]>();
  for (const s of all) {
    const k = stemOf(s.name).toLowerCase();
    (byStem.get(k) ?? byStem.set(k, []).get(k)!).push(s);
  }
  for (const [, group] of [...byStem].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const raws = group.filter((s) => isRawMime(s.mime));
    const faces = group.filter((s) => isFace(s.mime));
    if (raws.length !== 1 || faces.length === 0) continue;
    const raw = raws[0]!;
    const near = faces.filter((f) => f.taken_ms === null || raw.taken_ms === null || Math.abs(f.taken_ms - raw.taken_ms) <= PAIR_MS).sort(byName);
    if (near.length === 0) continue;
    const members = [raw, ...near].map((s) => s.content_uuid);
    out.push({ kind: 'raw+jpeg', key: `raw+jpeg:${raw.content_uuid}`, members: members.sort(), cover: near[0]!.content_uuid });
    for (const m of members) taken.add(m);
  }

  const rest = () => all.filter((s) => !taken.has(s.content_uuid));
  const addBurst = (key: string, frames: Shot[], cover?: Shot) => {
    if (frames.length < 2) return;
    const sorted = [...frames].sort(byTime);
    out.push({ kind: 'burst', key: `burst:${key}`, members: sorted.map((s) => s.content_uuid).sort(), cover: (cover ?? sorted[0]!).content_uuid });
    for (const s of frames) taken.add(s.content_uuid);
  };

  const groups = (keyOf: (s: Shot) => string | undefined) => {
    const by = new Map<string, Shot[]>();
    for (const s of rest()) {
      const k = keyOf(s);
      if (k !== undefined) (by.get(k) ?? by.set(k, []).get(k)!).push(s);
    }
    return [...by].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  };
  for (const [id, frames] of groups((s) => s.burst_uuid?.toUpperCase())) addBurst(`apple:${id}`, frames);
  for (const [id, frames] of groups((s) => ANDROID_BURST.exec(stemOf(s.name))?.[1])) {
    addBurst(`android:${id}`, frames, frames.filter((f) => ANDROID_COVER.test(stemOf(f.name))).sort(byName)[0]);
  }
  // Keyed by what every device with any of its frames reads alike (the name's time and the camera), not by which frames it has.
  for (const [id, frames] of groups((s) => SAMSUNG_BURST.exec(stemOf(s.name))?.[1])) addBurst(`samsung:${id}:${frames[0]!.camera}`, frames);

  // One camera's frames in a run, each under BURST_GAP_MS after the one before.
  for (const [camera, frames] of groups((s) => (s.sub_second && s.taken_ms !== null && s.camera !== '' ? s.camera : undefined))) {
    const sorted = frames.sort(byTime);
    let run: Shot[] = [];
    const flush = () => {
      // A run longer than a burst is a timelapse or an interval shoot: photos of their own.
      if (run.length >= 2 && run.length <= MAX_BURST_FRAMES && run.at(-1)!.taken_ms! - run[0]!.taken_ms! <= MAX_BURST_SPAN_MS) {
        addBurst(`time:${camera}:${run[0]!.taken_ms}`, run);
      }
      run = [];
    };
    for (const f of sorted) {
      const last = run.at(-1);
      if (last !== undefined && f.taken_ms! - last.taken_ms! >= BURST_GAP_MS) flush();
      run.push(f);
    }
    flush();
  }
  return out;
}
