import type { Db } from '../db/connection.js';
import { statementCache, type Prepared } from './statements.js';

export type PolicyScope = 'library' | 'location' | 'tag';

/** The three numbers a policy may ask for; null: nothing asked of that by this scope. */
export interface PolicyNumbers {
  copies: number | null;
  devices: number | null;
  offsite: number | null;
}

/** A `guardian_policies` row (migration 024): what the library ('' target), a location or a tag (by uuid) asks for. */
export interface GuardianPolicyRecord extends PolicyNumbers {
  scope: PolicyScope;
  target: string;
  updated_at: number;
}

/** The `guardian_policies` table: a few rows, read whole. */
export class GuardianPolicyStore {
  private readonly sql: Prepared;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  /** Every policy: the library's first, then locations', then tags'. */
  all(): GuardianPolicyRecord[] {
    return this.sql<[], GuardianPolicyRecord>(
      "SELECT * FROM guardian_policies ORDER BY CASE scope WHEN 'library' THEN 0 WHEN 'location' THEN 1 ELSE 2 END, target",
    ).all();
  }

  get(scope: PolicyScope, target: string): GuardianPolicyRecord | undefined {
    return this.sql<[PolicyScope, string], GuardianPolicyRecord>('SELECT * FROM guardian_policies WHERE scope = ? AND target = ?').get(scope, target);
  }

  /** Set the numbers SET gives (undefined: kept as they were, null when new) of a scope's policy; the row now. */
  put(scope: PolicyScope, target: string, set: Partial<PolicyNumbers>, now = Date.now()): GuardianPolicyRecord {
    type Args = { scope: PolicyScope; target: string; now: number } & Record<keyof PolicyNumbers | `set_${keyof PolicyNumbers}`, number | null>;
    const given = (k: keyof PolicyNumbers): 0 | 1 => (set[k] !== undefined ? 1 : 0);
    this.sql<[Args]>(
      `INSERT INTO guardian_policies (scope, target, copies, devices, offsite, updated_at) VALUES (@scope, @target, @copies, @devices, @offsite, @now)
       ON CONFLICT(scope, target) DO UPDATE SET
         copies = CASE WHEN @set_copies THEN excluded.copies ELSE copies END,
         devices = CASE WHEN @set_devices THEN excluded.devices ELSE devices END,
         offsite = CASE WHEN @set_offsite THEN excluded.offsite ELSE offsite END,
         updated_at = excluded.updated_at`,
    ).run({
      scope, target, now, copies: set.copies ?? null, devices: set.devices ?? null, offsite: set.offsite ?? null,
      set_copies: given('copies'), set_devices: given('devices'), set_offsite: given('offsite'),
    });
    return this.get(scope, target)!;
  }

  /** Forget a scope's policy; whether there was one. */
  remove(scope: PolicyScope, target: string): boolean {
    return this.sql<[PolicyScope, string]>('DELETE FROM guardian_policies WHERE scope = ? AND target = ?').run(scope, target).changes > 0;
  }
}
