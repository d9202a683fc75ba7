/** Stacks (issue 45): a RAW with its camera's JPEG, or a burst's frames, shown as one item behind a cover. */

/** One stack, as `vss stacks list --json` shows it. */
export interface StackView {
  stack_id: string;
  kind: 'raw+jpeg' | 'burst';
  /** The content shown for the stack. */
  cover: string;
  /** Its file's name (`stacks list`; null where no device names it now). */
  cover_name?: string | null;
  /** Every content in it (the cover among them), by uuid. */
  members: string[];
}

/** A stack as a content's page shows it: its members with a name and whether each has a grid thumbnail here. */
export interface DetailStack extends StackView {
  member_items: Array<{ content_uuid: string; name: string | null; mime: string | null; thumb: string | null }>;
}
