import { childLog } from '../../core/log.js';
import type { Library } from '../../library/library.js';
import { readEmbeddings } from './read-embeddings.js';
import { VectorIndex } from './vector-index.js';

const log = childLog('semantic-search');

/** Files read at once while the index is built (each is small; this keeps the disk busy, not flooded). */
const READ_AHEAD = 8;

/**
 * The vector index of one library and one embeddings model (its variant and width): built from
 * the ready sidecars on first use, then kept current as they become ready, change or go — made
 * here or fetched by sync, both tell `sidecar:changed`. A file that cannot be used is skipped and
 * logged with the reason; its content is left out until its sidecar changes again.
 */
export class LibraryVectors {
  private index: VectorIndex | null = null;
  private building: Promise<VectorIndex> | null = null;
  /** Contents whose sidecar changed since last read. */
  private readonly dirty = new Set<string>();
  private updating: Promise<void> | null = null;
  private stopEvents: (() => void) | null = null;
  private readonly skippedFiles = new Map<string, string>();

  constructor(private readonly lib: Library, readonly variant: string, readonly dims: number) {}

  /** The index with every change told so far applied. */
  async current(): Promise<VectorIndex> {
    if (!this.index) {
      // A failed build (the library closed under it) is tried again by the next query.
      this.building ??= this.build().catch((err: unknown) => {
        this.building = null;
        throw err;
      });
      return this.building;
    }
    while (this.updating) await this.updating;
    return this.index;
  }

  /** Contents left out, with why (their file was not usable). */
  get skipped(): ReadonlyMap<string, string> {
    return this.skippedFiles;
  }

  close(): void {
    this.stopEvents?.();
    this.stopEvents = null;
  }

  private async build(): Promise<VectorIndex> {
    // Follow first, so a change told while the files are read is applied after them.
    this.stopEvents?.();
    this.stopEvents = this.lib.events.on('sidecar:changed', (e) => {
      if (e.kind !== 'embeddings' || e.variant !== this.variant || e.status === 'generating') return;
      this.dirty.add(e.contentUuid);
      if (this.index) this.update();
    });
    const started = performance.now();
    const rows = this.lib.store.search.embedded(this.variant);
    const index = new VectorIndex(this.dims, Math.max(1024, rows.length));
    let next = 0;
    const reader = async (): Promise<void> => {
      while (next < rows.length) {
        const r = rows[next++]!;
        await this.load(index, r.uuid, r.kind);
      }
    };
    await Promise.all(Array.from({ length: Math.min(READ_AHEAD, rows.length) }, reader));
    log.info({ variant: this.variant, contents: index.contents, rows: index.rows, skipped: this.skippedFiles.size, ms: Math.round(performance.now() - started) }, 'semantic index built');
    this.index = index;
    this.building = null;
    if (this.dirty.size > 0) this.update();
    while (this.updating) await this.updating;
    return index;
  }

  /** Read the dirty contents again, until none is left. */
  private update(): void {
    if (this.updating) return;
    this.updating = (async () => {
      try {
        while (this.dirty.size > 0) {
          const list = [...this.dirty];
          this.dirty.clear();
          for (const uuid of list) {
            const kind = this.lib.store.search.kindOf(uuid);
            if (kind === undefined) {
              this.index!.delete(uuid);
              this.skippedFiles.delete(uuid);
            } else {
              await this.load(this.index!, uuid, kind);
            }
          }
        }
      } finally {
        this.updating = null;
      }
    })();
    // A failure (the library closed under it) is logged; the next query reads again what is dirty.
    this.updating.catch((err: unknown) => log.warn({ err, variant: this.variant }, 'semantic index update failed'));
  }

  /** Put what UUID's sidecar holds now in INDEX (nothing, when it has no usable file). */
  private async load(index: VectorIndex, uuid: string, kind: string): Promise<void> {
    let read;
    try {
      read = await readEmbeddings(this.lib, uuid, this.variant, this.dims);
    } catch (err) {
      read = { state: 'bad' as const, path: uuid, reason: (err as Error).message };
    }
    if (read.state === 'ready') {
      index.set(uuid, kind, read.chunks);
      this.skippedFiles.delete(uuid);
      return;
    }
    index.delete(uuid);
    if (read.state === 'bad') {
      this.skippedFiles.set(uuid, read.reason);
      log.warn({ path: read.path, content: uuid, variant: this.variant, reason: read.reason }, 'embeddings file skipped by search');
    } else {
      this.skippedFiles.delete(uuid);
    }
  }
}
