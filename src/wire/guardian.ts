/**
 * The Guardian (`vss guardian`, issue 30): how many copies each content has against its policy.
 * The shapes the daemon answers, read by the app in web/ as they are. Types only.
 *
 * Counting: a copy is one store holding the content — a drive of a device (a location whose drive
 * is not known counts as a drive of its own; a paired device's location counts as one, as its
 * drives are not sent). Several files of one content on one drive are one copy. `devices`: the
 * distinct devices holding a copy; `offsite`: the copies on devices other than this one.
 */

/** What a policy asks for: copies, on at least this many devices, at least this many off this device. */
export interface GuardianNumbers {
  copies: number;
  devices: number;
  offsite: number;
}

/** One policy as set (`guardian policy`): a number left null asks nothing of that scope (the library's take defaults). */
export interface GuardianPolicyView {
  scope: 'library' | 'location' | 'tag';
  /** The location's or tag's uuid; null for the library. */
  target: string | null;
  /** The location's or tag's name now (null for the library, or when it is gone). */
  name: string | null;
  copies: number | null;
  devices: number | null;
  offsite: number | null;
  /** Null for the library's policy when it was never set (the defaults). */
  updated_at: number | null;
}

/** Contents and their bytes. */
export interface GuardianTally {
  contents: number;
  bytes: number;
}

/** `guardian status --json`. */
export interface GuardianStatus {
  /** The library's policy in force (its defaults where never set). */
  policy: GuardianNumbers;
  /** The user set or accepted the library's policy; until then the counts are said, not warned of (issue 58). */
  policy_chosen: boolean;
  /** Every content with a copy anywhere in the library, and their bytes. */
  contents: number;
  bytes: number;
  /** Meeting their policy (the strictest of the library's, their locations' and their tags'). */
  safe: GuardianTally;
  /** Falling short of it: contents − safe. */
  short: GuardianTally;
  /** Within short: no copy that counts — every file of it found rotten, or on a device unconfirmed since a restore (`guardian list --at-risk` lists them first). */
  lost: GuardianTally;
  /** Held by one copy only (within short whenever a policy asks for two or more). */
  single: GuardianTally;
  /** Every copy on a drive or a device not seen for 30 days. */
  stale: GuardianTally;
  /** With a file on this device a scrub found rotten, not repaired yet (`guardian list --rot`). */
  rot: GuardianTally;
  /**
   * Files in the trash (issue 45): never counted as copies. `last`: the contents whose only
   * bytes are there (no copy anywhere): emptying the trash ends those the user deleted every
   * copy of, and keeps the others (DESIGN §21).
   */
  trash: { files: number; bytes: number; last: number };
  /** The library's own work (issue 45): its database's snapshots (`vss library backup`). */
  library: LibraryProtection;
  by_device: GuardianDevice[];
  /** This device's protect schedule of the library (`guardian protect --every`), or null. */
  protect_schedule: ProtectSchedule | null;
}

/** A library's protect on a schedule of this device (guardian/protect-schedule.ts). */
export interface ProtectSchedule {
  /** The target as the command was given it (a drive, a bucket, a folder, DEVICE:/LOCATION/PATH); null: protect's own choice. */
  to: string | null;
  every_hours: number;
  /** When a protect under it last started (ms): the command that set it, then each of the daemon's. */
  last_at: number;
}

/** What keeps the library's own work (tags, albums, people, notes, policies): its snapshots, looked at now. */
export interface LibraryProtection {
  /** Snapshots this device made that are there now (their files present, of the size they had). */
  snapshots: number;
  newest_at: number | null;
  /** Drives holding a snapshot made within the last 7 days (each drive once). */
  fresh_drives: number;
}

/** A snapshot of the library's database, as `vss library backups` lists it. */
export interface LibraryBackupView {
  snapshot: string;
  path: string;
  bytes: number;
  made_at: number;
  /** What it was made to: `library` (its own folder), `volume:NAME`, a folder, or a paired device's location (`DEVICE:/LOCATION[/PATH]`, by the names they have now). */
  target: string;
  /** Its file is there, of the size it had (on a paired device: as that device's index last said). */
  present: boolean;
  /** The paired device it was sent to (its name now); absent: on this device. */
  device?: string;
}

/** A device of the library and what it holds (this device first). */
export interface GuardianDevice {
  device_id: string;
  name: string;
  contents: number;
  bytes: number;
  /** When it was last seen (ms): now for this device. */
  last_seen: number;
  /**
   * Since when (ms) its copies are not counted: the library was restored, or recovered on another
   * device, from a snapshot, and this device was not heard from since (it syncs, or opens the
   * library, and they count again). Null: its copies count.
   */
  unconfirmed_since: number | null;
}

/** One file holding a content. */
export interface GuardianCopyView {
  device_id: string;
  device_name: string;
  /** Its location's name. */
  location: string;
  /** Absolute, on its device. */
  path: string;
  /** The drive's name (or fingerprint) on this device; null where not known (a paired device's). */
  volume: string | null;
  /** When its bytes were last hashed whole and matched (ms), null: never. */
  verified_at: number | null;
  /** Reachable now: its drive mounted here, or its device connected and its location online there. */
  online: boolean;
  /** A scrub found its bytes rotten (a file of this device): it does not count as a copy. */
  rotten: boolean;
  /** On a device not heard from since the library was restored (GuardianDevice.unconfirmed_since): it does not count as a copy. */
  unconfirmed: boolean;
}

/** `guardian list --at-risk --json`: one item per content short of its policy, fewest copies first. */
export interface GuardianAtRisk {
  content_uuid: string;
  size: number;
  kind: string;
  /** Its policy: the strictest of the library's, its locations' and its tags'. */
  policy: GuardianNumbers;
  /** What it has, counted as the policy counts. */
  has: GuardianNumbers;
  copies: GuardianCopyView[];
  /** How many more of each it needs (0 where it has enough). */
  short_by: GuardianNumbers;
  /** No copy counts (every file of it rotten, or on a device unconfirmed since a restore): only a copy from outside the library, or that device heard from again, can bring it back. */
  lost: boolean;
}

/** One content against its policy, as its detail view shows it. */
export interface ContentSafety {
  policy: GuardianNumbers;
  /** The user set or accepted the library's policy (GuardianStatus.policy_chosen). */
  policy_chosen: boolean;
  has: GuardianNumbers;
  short_by: GuardianNumbers;
  /** It has what its policy asks. */
  safe: boolean;
}

/**
 * A content a delete or move would leave short of its policy (the guard, and a dry run's
 * `below_policy`): counted as the policy counts, but only the copies that vouch for themselves now
 * (here: the file is there; elsewhere: verified, or its device or drive seen, in the guard's window).
 */
export interface GuardianBelowPolicy {
  content_uuid: string;
  /** A file of it the operation takes away. */
  path: string;
  /** What would be left of the number that falls short, and what the policy asks of it. */
  have: number;
  policy: number;
  /** Which number falls short: copies, devices, or copies off this device. */
  of: keyof GuardianNumbers;
  /** Its copies not counted now (the evidence rule, DESIGN §19): how many, and why (a few, in words). */
  not_counted: number;
  uncounted?: string[];
  /**
   * The file itself holds bytes vss does not know now (never indexed, or changed since it was):
   * nothing says they are anywhere else, so deleting or replacing it is refused (why, in words).
   * `content_uuid` is then the content the index had for it, or '' where none.
   */
  changed?: string;
  /**
   * No other file or object of it is known anywhere (on no device, in no bucket): a delete into
   * the trash leaves it there alone, and it is gone once the trash is emptied or after 30 days.
   */
  nowhere_else?: true;
}

/** How this device scrubs (a device's setting): the read rate (MB/s, 0: no limit), and how often the daemon scrubs each location (days, 0: off). */
export interface ScrubSettings {
  rate_mbps: number;
  every_days: number;
}

/** One location's scrub, in a scrub's result and `guardian scrub --json`. */
export interface ScrubLocationView {
  location_id: number;
  location_uuid: string;
  name: string;
  /** Files read whole and their bytes, rotten files found, files found edited (rescanned) by its last pass (or the one in progress). */
  files: number;
  bytes: number;
  rot: number;
  edited: number;
  /** When its last pass ended (ms), null: never, or not this time (see `skipped`). */
  done_at: number | null;
  /** When the daemon scrubs it next (ms), null: scheduled scrubs are off. */
  due_at: number | null;
  /** Why it was not scrubbed now (offline). */
  skipped: string | null;
}

/** What `guardian scrub` did. */
export interface ScrubResult {
  locations: ScrubLocationView[];
  files: number;
  bytes: number;
  rot: number;
}

/** One bucket volume as a listing check left it (`guardian check-buckets --json`). */
export interface BucketCheckView {
  volume_id: number;
  name: string;
  /** `s3://BUCKET/PREFIX`. */
  url: string;
  /** Keys listed and HEAD requests made by this run. */
  listed: number;
  heads: number;
  /** Objects vss recorded there that this run found as recorded, found gone, found changed, and found back after a mark. */
  found: number;
  gone: number;
  changed: number;
  back: number;
  /** Every object recorded in this bucket, and those of them marked gone or changed (they count as no copy). */
  objects: number;
  lost: number;
  /** The first objects marked gone or changed, with why. */
  lost_items: Array<{ key: string; content_uuid: string; why: string }>;
  /** This run got to the end of the listing (else the pass goes on from where it stopped at the next run). */
  pass_done: boolean;
  /** When the last whole pass ended (ms), null: never. */
  done_at: number | null;
  /** Why it was not checked now (it does not answer). */
  skipped: string | null;
  /** With `--read`: objects read back whole (an encrypted one authenticated, the plaintext's BLAKE3 held against the one recorded), and of them those that were not as uploaded (marked changed). */
  read: number;
  read_bad: number;
  /** With `--read`: every object recorded was read (else the run's byte budget ran out first); null: not asked. */
  read_all: boolean | null;
}

export interface BucketCheckResult {
  buckets: BucketCheckView[];
  gone: number;
  changed: number;
  lost: number;
}

/** A file this device holds whose bytes rotted (`guardian list --rot --json`). */
export interface GuardianRotView {
  content_uuid: string;
  size: number;
  location_id: number;
  /** Absolute, on this device. */
  path: string;
  /** What its bytes should hash to, and what they hash to now (BLAKE3, or the sampled id of a large file). */
  expected: string;
  found: string;
  found_at: number;
}

/** One rotten file repaired (`guardian repair`). */
export interface RepairedFile {
  content_uuid: string;
  path: string;
  /** Where its good bytes came from: a file of this device, or `DEVICE:PATH` of a paired one. */
  from: string;
  /** Where the damaged file was kept (beside it, hidden from the index). */
  damaged: string;
}

/** What `guardian repair` did: the files repaired, and those it could not repair, with why. */
export interface RepairResult {
  repaired: RepairedFile[];
  refused: Array<{ content_uuid: string; path: string; reason: string }>;
}

/** One drive or paired device a protect copies to: the folder the copies land under, and what goes there. */
export interface GuardianProtectTarget {
  /** The folder the copies land under (each as `<source location name>/<path in it>`): a path here, or `DEVICE:/LOCATION/PATH`. */
  target: string;
  /** The drive's name (or fingerprint); null where the drive is not known. */
  drive: string | null;
  files: number;
  bytes: number;
  /** Free bytes on that drive now (a protect leaves at least 5% of the drive free); null for a paired device's folder (its receiver checks). */
  free_bytes: number | null;
}

/**
 * `guardian protect --dry-run --json` (issue 30): the copies that bring the contents short of
 * their policy up to it. `contents`: contents given at least one copy; `files`, `bytes`: the
 * copies; `not_planned`: each content short of its policy that gets no copy here, and why;
 * `more`: more contents are short than one protect plans (100 000): run it again for the rest.
 */
export interface GuardianProtectPlan {
  contents: number;
  files: number;
  bytes: number;
  targets: GuardianProtectTarget[];
  not_planned: Array<{ content_uuid: string; reason: string }>;
  more: boolean;
}

/**
 * What a protect's job really protected, counted from its files once it ended: the contents with
 * a copy that landed as that content (a copy here indexed as its source's content; one on a
 * device or in a bucket verified there against it), their files and bytes; and the files copied
 * whose bytes were not their content's (a source rotten without a sign: its copy is no copy).
 */
export interface GuardianProtected {
  contents: number;
  files: number;
  bytes: number;
  not_its_content: Array<{ path: string; reason: string }>;
}
