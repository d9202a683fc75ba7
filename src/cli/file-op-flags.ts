import type { Command } from 'commander';
import { asTypedPlace } from '../core/address.js';
import { DEFAULT_ON_CONFLICT, ON_CONFLICT } from '../api/words.js';
import { UUID } from './content-arg.js';

/** The commands that take the file operations' flags. */
export type FlagCommand = 'copy' | 'move' | 'delete' | 'send' | 'protect';

/** The flags as commander hands them over (an absent one is the operation's default). */
export interface FileOpCliFlags {
  onConflict?: string;
  force?: boolean;
  keepRefused?: boolean;
  permanent?: boolean;
  dryRun?: boolean;
  detach?: boolean;
}

interface FlagSpec {
  option: string;
  default?: string;
  /** What it does, for each command that takes it: a command not named here does not take it. */
  says: Partial<Record<FlagCommand, string>>;
}

const ANYWHERE = 'a folder here, a paired device\'s folder or a bucket\'s';

/**
 * Every flag the file operations share, declared once (issue 42, "every flag on every branch"):
 * its option and what it does for each command that takes it. Each command declares its flags
 * from here and hands them, with what the user typed, to the core, which routes them the same way
 * whatever the destination (src/ops/file-op-request.ts); a flag added here without a field of
 * FileOpCliFlags does not compile.
 */
const FLAGS = {
  onConflict: {
    option: '--on-conflict <policy>', default: DEFAULT_ON_CONFLICT,
    says: {
      copy: `when a name is taken at the destination (${ANYWHERE}): ${ON_CONFLICT.join(', ')} (a bucket's objects are never replaced)`,
      move: `when a name is taken at the destination (a folder here or a paired device's): ${ON_CONFLICT.join(', ')}`,
    },
  },
  force: {
    option: '--force',
    says: {
      copy: 'replace even what leaves a content below its Guardian policy (named in the output); to another device, said to it: its own guard decides',
      move: 'move even what leaves a content below its Guardian policy (named in the output); to another device, said to it: its own guard decides',
      delete: 'with --permanent: delete for good even what leaves a content below its policy, its last copy too (named in the output); a delete into the trash needs none (never refused)',
    },
  },
  keepRefused: {
    option: '--keep-refused',
    says: { delete: 'with --permanent: delete for good what the Guardian lets go and keep the contents it refuses (named in the output, with why)' },
  },
  permanent: {
    option: '--permanent',
    says: { delete: 'delete for good, not into the trash (where a deleted file stays restorable for 30 days: vss trash); the Guardian refuses what would leave a content below its policy, its last copy too, without --force' },
  },
  dryRun: {
    option: '--dry-run',
    says: {
      copy: `print the plan (files, bytes, the names taken at the destination and what --on-conflict does with them, free space, contents left below policy) and change nothing, wherever it goes (${ANYWHERE}); refused where no plan can be made`,
      move: 'print the plan (files, bytes, the names taken at the destination, free space, contents left below policy, what it removes here) and change nothing, here or on the other device',
      delete: 'print the plan (files, bytes, contents left below policy) and change nothing',
      send: 'print the plan (files and bytes to send) and change nothing',
      protect: 'print the plan (contents, files, bytes, each target with its free space, what cannot be copied and why) and change nothing',
    },
  },
  detach: {
    option: '--detach',
    says: {
      copy: 'queue the job and return at once (vss jobs list and jobs monitor follow it; the daemon or the next vss files command runs it)',
      move: 'queue the job and return at once (vss jobs list and jobs monitor follow it; the daemon or the next vss files command runs it)',
      delete: 'queue the job and return at once',
      send: 'queue the send as a job of the daemon and return at once (vss jobs list and jobs monitor follow it)',
      protect: 'queue the job and return at once (the daemon or the next vss command that runs jobs runs it)',
    },
  },
} as const satisfies Record<keyof FileOpCliFlags, FlagSpec>;

/** CMD given the flags COMMAND takes, in one order for all. */
export function withFileOpFlags(cmd: Command, command: FlagCommand): Command {
  for (const spec of Object.values(FLAGS) as FlagSpec[]) {
    const says = spec.says[command];
    if (says !== undefined) cmd.option(spec.option, says, spec.default);
  }
  return cmd;
}

/** A source as the library reads it: a content uuid as typed (lowercase), an address of another device or a bucket as typed (the core refuses it, saying why), else a path made absolute. */
export function typedSource(p: string): string {
  return UUID.test(p) ? p.toLowerCase() : asTypedPlace(p);
}
