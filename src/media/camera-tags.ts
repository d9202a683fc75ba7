import type { MediaMetadata } from '../wire/browse.js';
import { truncateText } from './media-metadata.js';

/** GPS degrees as the file says them, or undefined when they cannot be a place (0,0 is a camera with no fix). */
export function gpsOf(tags: Record<string, unknown>): MediaMetadata['gps'] | undefined {
  const lat = finite(tags.GPSLatitude);
  const lon = finite(tags.GPSLongitude);
  if (lat === undefined || lon === undefined || Math.abs(lat) > 90 || Math.abs(lon) > 180 || (lat === 0 && lon === 0)) return undefined;
  const gps: NonNullable<MediaMetadata['gps']> = { lat: round(lat, 6), lon: round(lon, 6) };
  const alt = finite(tags.GPSAltitude);
  if (alt !== undefined && Math.abs(alt) < 100_000) gps.alt = round(alt, 1);
  return gps;
}

/** The camera and lens as the file names them (short, printable), or undefined. */
export function cameraOf(tags: Record<string, unknown>): MediaMetadata['camera'] | undefined {
  const c: NonNullable<MediaMetadata['camera']> = {};
  const make = text(tags.Make);
  const model = text(tags.Model);
  const lens = text(tags.LensModel) ?? text(tags.LensID) ?? text(tags.Lens);
  if (make) c.make = make;
  if (model) c.model = model;
  if (lens) c.lens = lens;
  return Object.keys(c).length > 0 ? c : undefined;
}

/** f-number, exposure time, ISO and focal length, each only when it is a plausible value. */
export function exposureOf(tags: Record<string, unknown>): MediaMetadata['exposure'] | undefined {
  const e: NonNullable<MediaMetadata['exposure']> = {};
  const f = finite(tags.FNumber);
  if (f !== undefined && f > 0 && f < 1000) e.f = round(f, 1);
  const time = typeof tags.ExposureTime === 'number' ? String(tags.ExposureTime) : text(tags.ExposureTime);
  if (time && /^[\d./]{1,16}$/.test(time)) e.time = time;
  const iso = finite(tags.ISO);
  if (iso !== undefined && iso > 0 && iso < 10_000_000) e.iso = Math.round(iso);
  const mm = typeof tags.FocalLength === 'string' ? Number.parseFloat(tags.FocalLength) : finite(tags.FocalLength);
  if (mm !== undefined && Number.isFinite(mm) && mm > 0 && mm < 100_000) e.mm = round(mm, 1);
  return Object.keys(e).length > 0 ? e : undefined;
}

function finite(v: unknown): number | undefined {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/g;

function text(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const s = v.replace(CONTROL, ' ').trim();
  return s === '' ? undefined : truncateText(s).slice(0, 64);
}

function round(n: number, digits: number): number {
  const k = 10 ** digits;
  return Math.round(n * k) / k;
}
