import { UsageError, VssError } from '../core/errors.js';
import type { Library } from '../library/library.js';
import type { GuardianPolicyRecord, PolicyNumbers, PolicyScope } from '../store/guardian-policies.js';
import { TagBook } from '../tags/tag-book.js';
import type { GuardianNumbers, GuardianPolicyView } from '../wire/guardian.js';

/**
 * The library's policy where none was set: two copies (git-annex's numcopies default), on at
 * least one device, none required off this one — a second copy on another drive of this device
 * is enough until the user asks for more.
 */
export const DEFAULT_POLICY: Readonly<GuardianNumbers> = { copies: 2, devices: 1, offsite: 0 };

/** The most any number of a policy may ask (more copies than this is a typing slip). */
export const MAX_POLICY_NUMBER = 64;

/** What `guardian policy` sets: the numbers given, of the library, a location (this device's, by row id) or a tag (uuid or name). */
export interface PolicyChange {
  copies?: number;
  devices?: number;
  offsite?: number;
  location?: number;
  tag?: string;
  /** Forget the location's or tag's policy (the library's goes back to the defaults). */
  clear?: boolean;
}

const NUMBERS = ['copies', 'devices', 'offsite'] as const;

/** The library's policy in force: what was set, the defaults for what was not. */
export function libraryPolicy(lib: Library): GuardianNumbers {
  const r = lib.store.guardianPolicies.get('library', '');
  return {
    copies: r?.copies ?? DEFAULT_POLICY.copies,
    devices: r?.devices ?? DEFAULT_POLICY.devices,
    offsite: r?.offsite ?? DEFAULT_POLICY.offsite,
  };
}

/**
 * Whether the user chose the library's policy (set it, or accepted the suggested one): until then
 * the counts are said, not warned of (issue 58: a new library's every photo is its own last
 * copy, and a warning on each would say nothing).
 */
export function policyChosen(lib: Library): boolean {
  return lib.store.guardianPolicies.get('library', '') !== undefined;
}

/** Every policy as set, the library's first (its defaults filled in, as they are in force). */
export function listPolicies(lib: Library): GuardianPolicyView[] {
  const rows = lib.store.guardianPolicies.all();
  const own = rows.find((r) => r.scope === 'library');
  const library: GuardianPolicyView = { scope: 'library', target: null, name: null, ...libraryPolicy(lib), updated_at: own?.updated_at ?? null };
  return [library, ...rows.filter((r) => r.scope !== 'library').map((r) => view(lib, r))];
}

/** Set (or with `clear`, forget) one scope's policy; the policy as it stands after. */
export function setPolicy(lib: Library, change: PolicyChange, now = Date.now()): GuardianPolicyView {
  if (change.location !== undefined && change.tag !== undefined) throw new UsageError('a policy is of the library, a location or a tag: give --location or --tag, not both');
  const set: Partial<PolicyNumbers> = {};
  for (const k of NUMBERS) {
    const v = change[k];
    if (v === undefined) continue;
    if (!Number.isInteger(v) || v < 0 || v > MAX_POLICY_NUMBER) throw new UsageError(`--${k} is a whole number from 0 to ${MAX_POLICY_NUMBER}, got ${String(v)}`);
    set[k] = v;
  }
  const [scope, target] = scopeOf(lib, change);
  if (scope === 'library' && set.copies === 0) throw new UsageError('the library\'s policy asks for at least one copy (--copies 1 or more)');
  const { guardianPolicies } = lib.store;
  if (change.clear) {
    if (Object.keys(set).length > 0) throw new UsageError('--clear forgets a policy: give no numbers with it');
    guardianPolicies.remove(scope, target);
    return scope === 'library' ? listPolicies(lib)[0]! : { ...view(lib, { scope, target, copies: null, devices: null, offsite: null, updated_at: now }), updated_at: null };
  }
  if (Object.keys(set).length === 0) throw new UsageError('give what the policy asks: --copies, --devices or --offsite (or --clear)');
  const row = guardianPolicies.put(scope, target, set, now);
  return scope === 'library' ? listPolicies(lib)[0]! : view(lib, row);
}

/** The scope and target a change names: a location by its uuid and a tag by its uuid (the same on every device). */
function scopeOf(lib: Library, change: PolicyChange): [PolicyScope, string] {
  if (change.location !== undefined) {
    const l = lib.store.locations.ofDeviceById(change.location, lib.deviceId);
    if (!l) throw new VssError('NOT_FOUND', `no location with id ${change.location} on this device`);
    return ['location', l.uuid];
  }
  if (change.tag !== undefined) return ['tag', new TagBook(lib).resolve(change.tag).uuid];
  return ['library', ''];
}

function view(lib: Library, r: GuardianPolicyRecord): GuardianPolicyView {
  return { scope: r.scope, target: r.target === '' ? null : r.target, name: nameOf(lib, r), copies: r.copies, devices: r.devices, offsite: r.offsite, updated_at: r.updated_at };
}

/** A location's or tag's name now: this device's location, a paired device's, or a live tag. */
function nameOf(lib: Library, r: GuardianPolicyRecord): string | null {
  const { store } = lib;
  if (r.scope === 'tag') {
    const t = store.tags.get(r.target);
    return t && t.deleted === 0 ? t.name : null;
  }
  if (r.scope === 'location') {
    const here = store.locations.ofDevice(lib.deviceId).find((l) => l.uuid === r.target);
    if (here) return here.name;
    return store.peerLocations.all().find((l) => l.uuid === r.target)?.name ?? null;
  }
  return null;
}
