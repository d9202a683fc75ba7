import { EventEmitter } from 'node:events';
import type { JobChange, JobProgress, JobsProgress } from '../wire/jobs.js';
import type { IndexPhase, IndexProgress } from '../wire/locations.js';
import type { SidecarChange } from '../wire/common.js';

export type { IndexPhase, IndexProgress, JobChange, JobProgress, JobsProgress, SidecarChange };

/**
 * The core's event bus: every state change that a UI, the CLI or a later daemon may show is
 * emitted here with a typed payload. One bus per opened library.
 */
export interface VssEvents {
  'index:phase': { locationId: number; phase: IndexPhase };
  'index:progress': IndexProgress;
  'index:skipped': { locationId: number; path: string; reason: string };
  'index:done': { locationId: number; durationMs: number };
  'sidecar:changed': SidecarChange;
  'jobs:progress': JobsProgress;
  'jobs:job': JobChange;
  /** One running job's bytes so far (a transfer), a few times a second at most. */
  'job:progress': JobProgress;
  'sidecars:progress': SidecarsProgress;
  /** Generation stopped starting jobs: the disk it writes to is full (which folder, how much is free). */
  'jobs:paused': JobsPaused;
  /** Space is back: generation goes on. */
  'jobs:resumed': { path: string };
  /** A location was added, removed, paused or resumed (the watcher follows these). */
  'locations:changed': LocationsChanged;
  /** A location's watching changed state: watched live, paused, polled (the OS watch limit), or failing. */
  'location:watch': LocationWatchState;
  /** What a paired device says it has changed here: a digest from it was applied, or it was unpaired. */
  'availability:changed': AvailabilityChanged;
  /** A paired device's own rows of the library (its folders, files, contents) were pulled here (DESIGN §15). */
  'library:peer-rows': { deviceUuid: string; entries: number; full: boolean };
  /** Tags or user metadata changed (DESIGN §16): OPS operations, made here (FROM null) or taken in from that device. */
  'shared:changed': { ops: number; from: string | null };
  /** The people pass put FACES faces with another person (or none) (issue 31). */
  'people:changed': { faces: number };
  /** A file a paired device sent is in this device's inbox, verified (told in each library shared with the sender). */
  'files:received': FileReceived;
  /** An incoming send's bytes so far, a few times a second at most. */
  'drop:progress': DropProgress;
  /** A volume was mounted (a drive plugged in), or one known went from the mount table. */
  'volume:appeared': VolumeChange;
  'volume:gone': VolumeChange;
  /** A scrub found a file whose bytes changed while its size and time did not (issue 30 item 5). */
  'guardian:rot': RotFound;
}

/** A rotten file: where it is (location, path in it), its row and the content it should hold. */
export interface RotFound {
  locationId: number;
  entryId: number;
  path: string;
  contentId: number;
  size: number;
}

export interface FileReceived {
  transfer: string;
  from_device: string;
  from_name: string;
  /** Its name in the inbox (a free name: " (2)" added when taken). */
  name: string;
  path: string;
  size: number;
}

export interface DropProgress {
  transfer: string;
  from_device: string;
  from_name: string;
  done_bytes: number;
  total_bytes: number;
}

export interface VolumeChange {
  volumeId: number;
  fingerprint: string;
  mountPoint: string;
}

export interface AvailabilityChanged {
  deviceUuid: string;
  /** Entries in the digest (or rows removed when the device was unpaired). */
  entries: number;
  /** Everything that device said before was replaced (a full digest, or unpairing). */
  full: boolean;
  /** The device's change number the digest brought (0 when unpaired); its rows carry it in `seq`. */
  toSeq: number;
}

export interface LocationsChanged {
  locationId: number;
  /** `online`/`offline`: its drive came back (perhaps at another mount point) or went. */
  change: 'added' | 'removed' | 'paused' | 'resumed' | 'online' | 'offline';
}

export type WatchState = 'watching' | 'paused' | 'polling' | 'error';

export interface LocationWatchState {
  locationId: number;
  state: WatchState;
  /** Why it is polling or failing, in words. */
  reason?: string;
}

/** How far a long sidecar task has got: `reconcile --verify` re-hashing, `convert-references` moving. */
export interface SidecarsProgress {
  task: 'verify' | 'convert';
  done: number;
  total: number;
  doneBytes: number;
  totalBytes: number;
}

export interface JobsPaused {
  path: string;
  freeBytes: number;
  totalBytes: number;
  message: string;
}

export type EventName = keyof VssEvents;
export type AnyEventListener = (event: EventName, payload: VssEvents[EventName]) => void;

export class EventBus {
  private readonly emitter = new EventEmitter();
  private readonly anyListeners = new Set<AnyEventListener>();

  /** Every event, whatever its name (the daemon streams them all to its clients). */
  onAny(listener: AnyEventListener): () => void {
    this.anyListeners.add(listener);
    return () => this.anyListeners.delete(listener);
  }

  on<K extends keyof VssEvents>(event: K, listener: (payload: VssEvents[K]) => void): () => void {
    this.emitter.on(event, listener);
    return () => this.emitter.off(event, listener);
  }

  emit<K extends keyof VssEvents>(event: K, payload: VssEvents[K]): void {
    this.emitter.emit(event, payload);
    for (const l of this.anyListeners) l(event, payload);
  }
}
