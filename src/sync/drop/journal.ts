import { existsSync, lstatSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../core/fs-atomic.js';
import type { Placing } from '../../storage/already-there.js';

/**
 * What the inbox keeps of a send under way, in `<inbox>/.vss-drop/`: one partial file per item
 * (`<transfer>-<index>.partial`) and a journal (`<transfer>.json`) naming the sender, the items
 * offered and those already placed. A send cut off (either side killed, the link gone) is offered
 * again with the same transfer id: the journal says what is in already (and what was being
 * renamed into place, by inode), the partials how far the rest got. Both go when the send is done
 * or cancelled, or after STALE_MS untouched; the folder holds nothing else of anyone's.
 */
export const STATE_DIR = '.vss-drop';
/**
 * A send not taken up again within this long is given up: its partials go. A send's job retries
 * for a few hours at most; one cancelled while it waited between attempts tells the receiver
 * nothing, so its partials wait for this.
 */
const STALE_MS = 2 * 24 * 3600_000;

export interface OfferedItem {
  name: string;
  size: number;
  /** Absent when it follows the file's bytes (/vss/drop/2.0.0's `sum`). */
  blake3?: string;
  /** The sender's file's permission bits and modification time (ms): the received file keeps them (absent from an older vss). */
  mode?: number;
  mtime_ms?: number;
}

export interface Journal {
  sender: string;
  items: OfferedItem[];
  /** Index → the name it was placed under in the inbox. */
  saved: Record<string, string>;
  /** Items not written, their name taken where they go and the place's policy `skip` (also in `saved`, under that name). */
  skipped?: number[];
  /**
   * Index → the partial about to be renamed into place, written before the rename: a receiver
   * killed between the rename and the journal's next write finds the file by its inode when the
   * send is offered again, and answers it placed instead of receiving it a second time.
   */
  placing?: Record<string, Placing>;
}

/**
 * Whether the partial an earlier attempt left of WAS is of the file offered now as IT, so the
 * send resumes after it. Their BLAKE3s say so when both offers carried one; a file offered
 * without it (its BLAKE3 follows its bytes) is known by its size and modification time, as a
 * sync tool's quick check knows it. Either way the whole file is hashed before it is placed
 * (what the partial holds included), and one whose bytes are not its BLAKE3 is refused.
 */
export function sameOffer(was: OfferedItem | undefined, it: OfferedItem): boolean {
  if (was === undefined || was.name !== it.name || was.size !== it.size) return false;
  if (was.blake3 !== undefined && it.blake3 !== undefined) return was.blake3 === it.blake3;
  return was.mtime_ms !== undefined && was.mtime_ms === it.mtime_ms;
}

export function stateDir(inbox: string): string {
  return join(inbox, STATE_DIR);
}

export function partialOf(inbox: string, transfer: string, index: number): string {
  return join(stateDir(inbox), `${transfer}-${index}.partial`);
}

function journalPath(inbox: string, transfer: string): string {
  return join(stateDir(inbox), `${transfer}.json`);
}

/** The journal of TRANSFER, or undefined when there is none (or it is unreadable: the send starts over). */
export function readJournal(inbox: string, transfer: string): Journal | undefined {
  const p = journalPath(inbox, transfer);
  if (!existsSync(p)) return undefined;
  try {
    const j = JSON.parse(readFileSync(p, 'utf8')) as Partial<Journal>;
    if (typeof j.sender !== 'string' || !Array.isArray(j.items) || typeof j.saved !== 'object' || j.saved === null) return undefined;
    return j as Journal;
  } catch {
    return undefined;
  }
}

export async function writeJournal(inbox: string, transfer: string, j: Journal): Promise<void> {
  await mkdir(stateDir(inbox), { recursive: true });
  await writeFileAtomic(journalPath(inbox, transfer), JSON.stringify(j));
}

/** Everything TRANSFER left in the inbox's state folder: its partials, and its journal unless KEEPJOURNAL (a place answers an offer made again from it). */
export async function forgetTransfer(inbox: string, transfer: string, keepJournal = false): Promise<void> {
  const dir = stateDir(inbox);
  if (!existsSync(dir)) return;
  const mine = readdirSync(dir).filter((n) => n.startsWith(`${transfer}-`) || (!keepJournal && n === `${transfer}.json`));
  await Promise.all(mine.map((n) => rm(join(dir, n), { force: true })));
}

/**
 * Sends nobody took up again within STALE_MS: their partials would only fill the disk. Everything
 * in the state folder is vss's (a peer's `place` never lands there), so every file left untouched
 * that long goes: journals, partials, and a temporary file a kill left half written.
 */
export async function forgetStale(inbox: string, now = Date.now()): Promise<void> {
  const dir = stateDir(inbox);
  if (!existsSync(dir)) return;
  for (const n of readdirSync(dir)) {
    const st = lstatSync(join(dir, n), { throwIfNoEntry: false });
    if (st && !st.isDirectory() && now - st.mtimeMs > STALE_MS) await rm(join(dir, n), { force: true });
  }
}
