import { readContentDetail, type DetailContext } from '../browse/content-detail.js';
import { GridOrderCache } from '../browse/grid-order.js';
import { readGridPage } from '../browse/grid-page.js';
import { UsageError } from '../core/errors.js';
import type { Library } from '../library/library.js';
import { UUID_RE } from '../sidecars/address.js';
import type { LibraryContext } from './library-api.js';
import type { ContentDetail, GridDays, GridPage } from '../wire/browse.js';

export type { ContentDetail, DetailPath, DetailDevice, DetailSidecar, GridDay, GridDays, GridItem, GridPage } from '../wire/browse.js';

/** The most tiles one grid read returns. */
export const GRID_PAGE_MAX = 2000;

/**
 * What the web UI browses: the library's contents by capture time, as days and pages of tiles
 * (the order: src/browse/grid-order.ts), and one content's detail (its copies, metadata and
 * sidecars with the devices that have each).
 */
export class BrowseApi {
  private readonly order: GridOrderCache;

  constructor(private readonly lib: Library, private readonly ctx: LibraryContext) {
    this.order = new GridOrderCache(lib.store.browse);
  }

  /**
   * Every day with contents, newest first, undated last (`day: null`); their counts add up to
   * total. `version` names the order: pages of the same version are slices of it.
   */
  days(): GridDays {
    const o = this.order.current();
    return { total: o.ids.length, version: o.version, days: o.days };
  }

  /** LIMIT tiles (1 to GRID_PAGE_MAX) from OFFSET in the order of days(); past the end, none. A page of another version than the days read belongs to another order. */
  page(offset: number, limit: number): GridPage {
    if (!Number.isSafeInteger(offset) || offset < 0) throw new UsageError(`offset must be a whole number from 0, got ${String(offset)}`);
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > GRID_PAGE_MAX) throw new UsageError(`limit must be a whole number from 1 to ${GRID_PAGE_MAX}, got ${String(limit)}`);
    return readGridPage(this.lib.store.browse, this.order.current(), offset, limit);
  }

  async detail(contentUuid: string): Promise<ContentDetail> {
    if (typeof contentUuid !== 'string' || !UUID_RE.test(contentUuid)) throw new UsageError(`invalid content uuid ${JSON.stringify(String(contentUuid).slice(0, 80))}`);
    const ctx: DetailContext = {
      store: this.lib.store.browse,
      content: (uuid) => this.lib.store.contents.byUuid(uuid),
      device: { uuid: this.lib.device.uuid, name: this.lib.device.name },
      deviceNames: () => this.deviceNames(),
    };
    return readContentDetail(ctx, contentUuid);
  }

  /** Other devices' names: as paired here, else as they named themselves when they opened this library. */
  private async deviceNames(): Promise<Map<string, string>> {
    const names = new Map(this.lib.store.browse.deviceNames());
    const { PairedDevices } = await import('../sync/pairing/paired-devices.js');
    for (const d of PairedDevices.load(this.ctx.dataDir).list()) names.set(d.device_uuid, d.name);
    return names;
  }
}
