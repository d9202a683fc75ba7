import { useMemo, useState } from 'react';
import { geoEqualEarth, geoPath, type GeoProjection } from 'd3-geo';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import land110 from 'world-atlas/land-110m.json';
import { count } from './format.js';
import type { PlaceCountry } from './types.js';

/** One town on the map. */
interface Town { city: string; country: string; count: number; lat: number; lon: number }
/** Towns drawn as one: those whose dots would touch at this zoom. */
interface Cluster { towns: Town[]; count: number; x: number; y: number }

const WIDTH = 960;
const HEIGHT = 500;
/** Dots closer than this (in the map's own units) are one cluster. */
const NEAR = 28;

// The world's land, once: Natural Earth at 1:110m (world-atlas), bundled, so the map needs no network.
const LAND = feature(land110 as unknown as Topology, (land110 as unknown as Topology).objects.land as GeometryCollection);

/**
 * The Places map (issue 44): the world's land drawn offline (world-atlas, d3-geo's Equal Earth
 * projection), each town where photos were taken a dot, towns close together at this zoom one
 * cluster with their count. A town opens its photos (ONOPEN); a cluster of several zooms to them.
 */
export function PlacesMap({ countries, onOpen }: { countries: readonly PlaceCountry[]; onOpen: (place: string) => void }) {
  const towns = useMemo(() => countries.flatMap((c) => c.cities.filter((t) => t.lat !== null && t.lon !== null).map((t) => ({ city: t.city, country: c.country, count: t.count, lat: t.lat!, lon: t.lon! }))), [countries]);
  const [focus, setFocus] = useState<Town[] | null>(null);
  const projection = useMemo(() => fitted(focus), [focus]);
  const path = useMemo(() => geoPath(projection), [projection]);
  const clusters = useMemo(() => clustersOf(towns, projection), [towns, projection]);
  if (towns.length === 0) return null;
  return (
    <figure className="places-map">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={`A map of ${towns.length} places`}>
        <path className="map-land" d={path(LAND) ?? ''} />
        {clusters.map((c) => {
          const label = c.towns.length === 1 ? `${c.towns[0]!.city}, ${count(c.count)} photos` : `${c.towns.length} places, ${count(c.count)} photos`;
          return (
            <g
              key={`${c.towns[0]!.city}|${c.towns[0]!.country}`} className="map-cluster" role="button" tabIndex={0} aria-label={label}
              transform={`translate(${c.x.toFixed(1)} ${c.y.toFixed(1)})`}
              onClick={() => (c.towns.length === 1 ? onOpen(c.towns[0]!.city) : setFocus(c.towns))}
              onKeyDown={(e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); (e.currentTarget as SVGGElement).dispatchEvent(new MouseEvent('click', { bubbles: true })); } }}
            >
              <title>{label}</title>
              <circle r={Math.min(26, 9 + Math.log2(c.count + 1) * 2.5)} />
              <text dy="0.35em">{c.count > 999 ? `${Math.round(c.count / 1000)}k` : c.count}</text>
            </g>
          );
        })}
      </svg>
      {focus && <button type="button" className="quiet map-reset" onClick={() => setFocus(null)}>Whole world</button>}
    </figure>
  );
}

/** The projection that fits the world, or FOCUS's towns with room around them. */
function fitted(focus: readonly Town[] | null): GeoProjection {
  const p = geoEqualEarth();
  if (!focus) return p.fitSize([WIDTH, HEIGHT], { type: 'Sphere' });
  const pad = 2;
  const lats = focus.map((t) => t.lat);
  const lons = focus.map((t) => t.lon);
  const box = { type: 'MultiPoint' as const, coordinates: [[Math.min(...lons) - pad, Math.min(...lats) - pad], [Math.max(...lons) + pad, Math.max(...lats) + pad]] };
  return p.fitExtent([[40, 40], [WIDTH - 40, HEIGHT - 40]], box);
}

/** Towns gathered greedily, the most photos first: a town joins the first cluster within NEAR of it. */
function clustersOf(towns: readonly Town[], projection: GeoProjection): Cluster[] {
  const out: Cluster[] = [];
  for (const t of [...towns].sort((a, b) => b.count - a.count)) {
    const at = projection([t.lon, t.lat]);
    if (!at || at[0] < -NEAR || at[1] < -NEAR || at[0] > WIDTH + NEAR || at[1] > HEIGHT + NEAR) continue;
    const near = out.find((c) => Math.hypot(c.x - at[0], c.y - at[1]) < NEAR);
    if (near) {
      near.towns.push(t);
      near.count += t.count;
    } else out.push({ towns: [t], count: t.count, x: at[0], y: at[1] });
  }
  return out;
}

/** A photo's place on a small map (its details, issue 44): the land around it, offline, and a dot where it was taken. */
export function PlaceMiniMap({ lat, lon, label }: { lat: number; lon: number; label: string }) {
  const { d, at } = useMemo(() => {
    const span = 12;
    const p = geoEqualEarth().fitExtent([[0, 0], [MINI_W, MINI_H]], {
      type: 'MultiPoint', coordinates: [[lon - span, Math.max(-85, lat - span / 2)], [lon + span, Math.min(85, lat + span / 2)]],
    });
    return { d: geoPath(p)(LAND) ?? '', at: p([lon, lat]) };
  }, [lat, lon]);
  return (
    <svg className="mini-map" viewBox={`0 0 ${MINI_W} ${MINI_H}`} role="img" aria-label={`Map: ${label}`}>
      <path className="map-land" d={d} />
      {at && <circle className="map-spot" cx={at[0]} cy={at[1]} r={6} />}
    </svg>
  );
}

const MINI_W = 320;
const MINI_H = 160;
