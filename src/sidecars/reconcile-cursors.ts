import type { ContentStore } from '../store/contents.js';
import type { SidecarRecord, SidecarStore } from '../store/sidecars.js';

/**
 * Reconcile walks sidecars/ in content_uuid order and reads the database beside it in the same
 * order — a merge join — instead of one query per file. Both cursors read a page at a time by
 * key (never OFFSET, never an open iterator), so memory stays flat however many rows there are
 * and the manager may write between pages.
 */
const PAGE = 2000;

/** What reconcile needs of a sidecar row. Snapshots: every change is re-checked against a fresh read. */
export type RowSnapshot = Pick<SidecarRecord, 'content_uuid' | 'kind' | 'variant' | 'format' | 'status' | 'source' | 'size' | 'checksum' | 'source_entry_id'>;

/** Every sidecar row in (content_uuid, kind, variant) order, one content's rows at a time. */
export class SidecarRowCursor {
  private page: RowSnapshot[] = [];
  private pos = 0;
  private started = false;
  private exhausted = false;

  constructor(private readonly sidecars: SidecarStore, private readonly pageSize = PAGE) {}

  /** The content_uuid of the next row, or undefined at the end. */
  peekContent(): string | undefined {
    if (this.pos >= this.page.length) this.fetch();
    return this.page[this.pos]?.content_uuid;
  }

  /** The rows of the next content (the one peekContent names). */
  nextGroup(): RowSnapshot[] {
    const uuid = this.peekContent();
    const group: RowSnapshot[] = [];
    while (uuid !== undefined && this.peekContent() === uuid) group.push(this.page[this.pos++]!);
    return group;
  }

  private fetch(): void {
    if (this.exhausted) return;
    const last = this.page[this.page.length - 1];
    const raw = this.sidecars.inAddressOrder(this.started && last ? [last.content_uuid, last.kind, last.variant] : undefined, this.pageSize);
    // Arrays from SQLite, objects made here: a third cheaper than better-sqlite3 building each object.
    this.page = raw.map((r) => ({
      content_uuid: r[0], kind: r[1], variant: r[2], format: r[3], status: r[4], source: r[5], size: r[6], checksum: r[7], source_entry_id: r[8],
    }));
    this.started = true;
    this.pos = 0;
    if (this.page.length < this.pageSize) this.exhausted = true;
  }
}

/**
 * content_identities.kind by uuid, for uuids asked in ascending order: a page read from the
 * first uuid asked serves the next ones, and a uuid beyond it seeks with a new page. Dense asks
 * (every content has sidecars) read the index sequentially; sparse ones cost one seek each.
 */
export class ContentKindCursor {
  private page: Array<{ uuid: string; kind: string }> = [];
  private from: string | undefined;
  private pos = 0;

  constructor(private readonly contents: ContentStore, private readonly pageSize = PAGE) {}

  kindOf(uuid: string): string | undefined {
    if (!this.covers(uuid)) {
      this.page = this.contents.kindsFrom(uuid, this.pageSize).map(([u, kind]) => ({ uuid: u, kind }));
      this.from = uuid;
      this.pos = 0;
    }
    while (this.pos < this.page.length && this.page[this.pos]!.uuid < uuid) this.pos++;
    const hit = this.page[this.pos];
    return hit?.uuid === uuid ? hit.kind : undefined;
  }

  private covers(uuid: string): boolean {
    if (this.from === undefined || uuid < this.from) return false;
    const last = this.page[this.page.length - 1];
    // A short page reached the end of the table; a full one covers up to its last uuid.
    return this.page.length < this.pageSize || (last !== undefined && uuid <= last.uuid);
  }
}
