/**
 * No external tool outlives vss, however vss ends. Tools (ffmpeg, ffprobe, the whisper child) run
 * in their own process group so a terminal's Ctrl-C reaches only vss, which then stops them in
 * order; ExifTool's perl runs in ours. Nothing else would kill them when vss dies, so a child that
 * must end with us is tied here, and is killed:
 *
 * - on any exit of this process that runs code (return, `process.exit` from a signal handler, an
 *   uncaught error): an 'exit' hook SIGKILLs every tied child synchronously;
 * - on `kill -9` of vss, when no code of ours runs: a watchdog, one `/bin/sh` per vss process
 *   started with the first tied child, holds a pipe from us and keeps the tied ids it is told.
 *   The kernel closes the pipe when we die, whatever the cause; at end of input the watchdog kills
 *   every id still tied and exits. Node has no PR_SET_PDEATHSIG; a pipe's end is the portable
 *   way to learn of a parent's death. sh, not node: ~1 MB and ~1 ms to start, not ~40 MB and 40 ms.
 *
 * Left open: a kill -9 in the microseconds between a child's spawn returning and its tie (one
 * pipe write, once `prepareToTie` has started the watchdog) leaves that child behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { childLog } from './log.js';

const log = childLog('child-lifetime');

// Protocol, one line each: "+ ID" ties, "- ID" unties; ID is a pid, or minus a process group id.
// The watchdog ignores its terminal's signals (they are vss's to act on) and refuses any ID that
// is not a plain pid above 1: `kill -9 -1` would kill every process we may kill.
export const WATCHDOG_SCRIPT = `trap '' INT HUP QUIT
ids=' '
while read -r op id; do
  case $id in ''|-|*[!0-9-]*|?*-*|0*|-0*|1|-1) continue ;; esac
  case $op in
    +) ids="$ids$id " ;;
    -) case $ids in *" $id "*) ids="\${ids%% $id *} \${ids#* $id }" ;; esac ;;
  esac
done
for id in $ids; do kill -9 $id 2>/dev/null; done`;

/** Tied ids: a pid, or minus a process group id. */
const tied = new Set<number>();
let watchdog: ChildProcess | undefined;
let watchdogFailed = false;
let exitHooked = false;
/** Windows has neither process groups nor /bin/sh: there only the exit hook applies. */
const useWatchdog = process.platform !== 'win32';

export interface TieOptions {
  /** The child leads its own process group (spawned detached): kill the whole group. */
  group: boolean;
}

/**
 * Kill child PID (or its process group) when this process ends, however it ends. Returns the
 * untie, to call once the child has exited (so a reused pid is never killed).
 */
export function tieToThisProcess(pid: number | undefined, opts: TieOptions): () => void {
  if (pid === undefined || !Number.isInteger(pid) || pid < 2) return () => undefined;
  const id = opts.group && process.platform !== 'win32' ? -pid : pid;
  if (!exitHooked) {
    exitHooked = true;
    process.on('exit', killTiedChildren);
  }
  tied.add(id);
  // A pipe write is handed to the kernel at once (libuv writes before queueing), so a tie made
  // just before a kill -9 has already reached the watchdog.
  if (watchdog) tell(`+ ${id}`);
  else startWatchdog(); // it is told every tied id, this one included
  let untied = false;
  return () => {
    if (untied) return;
    untied = true;
    if (tied.delete(id)) tell(`- ${id}`);
  };
}

/**
 * Start the watchdog now if none runs, so that tying a child spawned next is one pipe write:
 * call it before spawning. (A kill -9 that lands between a spawn and its tie leaves that child
 * behind; this makes the gap microseconds instead of a watchdog's start.)
 */
export function prepareToTie(): void {
  if (!watchdog) startWatchdog();
}

/** SIGKILL every tied child now (synchronous: safe in an 'exit' handler and before process.exit). */
export function killTiedChildren(): void {
  for (const id of tied) {
    try { process.kill(id, 'SIGKILL'); } catch { /* already gone */ }
  }
  tied.clear();
}

/** The watchdog's pid, while one runs (for tests and measurements). */
export function watchdogPid(): number | undefined {
  return watchdog?.pid;
}

function tell(line: string): void {
  watchdog?.stdin?.write(`${line}\n`);
}

function startWatchdog(): ChildProcess | undefined {
  if (!useWatchdog || watchdogFailed) return undefined;
  let w: ChildProcess;
  try {
    // Its own process group: a signal to ours (a terminal's Ctrl-C, `kill -- -PGID`) leaves it to
    // clean up after us.
    w = spawn('/bin/sh', ['-c', WATCHDOG_SCRIPT], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  } catch (err) {
    watchdogFailed = true;
    log.warn({ err }, 'cannot start the tool watchdog: tools may outlive a killed vss');
    return undefined;
  }
  const forget = () => { if (watchdog === w) watchdog = undefined; };
  w.on('error', (err) => {
    // No /bin/sh to start: not tried again for every tool.
    watchdogFailed = true;
    log.warn({ err }, 'the tool watchdog failed: tools may outlive a killed vss');
    forget();
  });
  w.on('exit', forget);
  w.stdin?.on('error', forget);
  // Neither the watchdog nor its pipe may keep vss running.
  w.unref();
  (w.stdin as Socket | null)?.unref();
  watchdog = w;
  // A new watchdog (the last one died) learns of every child still tied.
  for (const id of tied) w.stdin?.write(`+ ${id}\n`);
  return w;
}
