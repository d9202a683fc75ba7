import type { DeviceItem } from '../api/index.js';
import { shortId } from '../core/short-id.js';
import { formatAgo } from './output.js';

/**
 * One line of `vss devices list` for a person: name, the start of its id (what `devices revoke`,
 * `rights` and `remove` take; two devices may share a name), since when it is paired (or a
 * member), and whether it is online, as "3 minutes ago" rather than an ISO time (`--json` keeps
 * the whole id and the times).
 */
export function deviceLine(d: DeviceItem, now = Date.now()): string {
  const how = d.kind === 'browser' ? (d.reached === 'lan' ? 'home network' : 'this machine')
    : `${d.reached === 'relay' ? 'through a relay' : d.reached === 'lan' ? 'LAN' : d.reached === 'local' ? 'on this machine' : 'direct'}${d.rtt_ms !== null ? `, ${d.rtt_ms} ms` : ''}`;
  const seen = d.kind === 'device' && d.refuses_this_device !== null ? `refuses this device (${d.refuses_this_device})`
    : d.online ? `online (${how})` : d.last_seen ? `last seen ${formatAgo(d.last_seen, now)}` : 'never seen since pairing';
  const may = d.kind === 'browser' ? `  browser, may ${Object.entries(d.may).filter(([, on]) => on).map(([what]) => what).join(', ')}` : '';
  // A member never paired here joined through another member: when it joined, not "paired".
  const since = d.kind === 'device' && d.via === 'library' ? `joined the library ${formatAgo(d.paired_at, now)}` : `paired ${formatAgo(d.paired_at, now)}`;
  return `${d.name}  ${shortId(d.id)}  ${since}  ${seen}${may}`;
}
