import { count } from './format.js';
import { href } from './routes.js';
import type { GridDevice, GridFilter } from './types.js';

/**
 * Which device's contents the grid shows (DESIGN §15): every device's, this one's, or one paired
 * device's, each named with whether it is online. A choice is an address (`#/?device=…`), so
 * Back returns to the choice before.
 */
export function DeviceFilter({ devices, device, total, filter }: { devices: readonly GridDevice[]; device: string | null; total: number; filter?: GridFilter }) {
  const self = devices.find((d) => d.local);
  const value = device === null ? '' : device === self?.device_id ? 'local' : device;
  return (
    <div className="device-filter">
      <label>
        <span className="muted">Show</span>{' '}
        <select
          aria-label="Device"
          value={value}
          onChange={(e) => { window.location.hash = href({ view: 'library', ...(e.currentTarget.value === '' ? {} : { device: e.currentTarget.value }), ...(filter ? { filter } : {}) }); }}
        >
          <option value="">All devices</option>
          {devices.map((d) => (
            <option key={d.device_id} value={d.local ? 'local' : d.device_id}>
              {d.local ? `${d.name} (this device)` : `${d.name}${d.online ? '' : ' (offline)'}`}
            </option>
          ))}
        </select>
      </label>
      <span className="muted" aria-live="polite">{count(total)} {total === 1 ? 'item' : 'items'}</span>
    </div>
  );
}
