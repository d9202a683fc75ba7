/**
 * Near-duplicates in the safety model (issue 45): a person saves a photo and a smaller re-encode of
 * it, their fingerprints are made (the `phash` sidecar, as a deep index makes it), and `vss similar
 * keep` keeps one and sends the others to the trash. A near-duplicate let go is lost for good only
 * while the picture kept for it has a good copy (real.ts `keptAs`): a kept photo that rotted
 * silently, never read again before the trash was emptied, loses the picture (case S3 of the
 * faults of 2026-11-27).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { hashOf } from './reality.js';
import { wholeSecond, type Outcome, type Real } from './real.js';
import { answered, JOB_WAIT_MS, Step } from './step.js';
import type { LocationName } from './world.js';

/** A picture of random blocks (a fingerprint has something to hold on to), from BYTES: the photo, and a smaller, rougher re-encode of it. */
async function pictures(bytes: Buffer): Promise<[Buffer, Buffer]> {
  const photo = await sharp(bytes, { raw: { width: 8, height: 6, channels: 3 } }).resize(320, 240, { kernel: 'cubic' }).jpeg({ quality: 92 }).toBuffer();
  return [photo, await sharp(photo).resize(160).jpeg({ quality: 50 }).toBuffer()];
}

/** A person saves photo N and its smaller re-encode in a location's top folder; both are indexed and fingerprinted. */
export class Photos extends Step {
  constructor(private readonly d: number, private readonly loc: LocationName, private readonly n: number) {
    super();
  }
  check(): boolean {
    return true;
  }
  protected plan(): string {
    return `D${this.d}: save photo p${this.n}.jpg and a smaller re-encode of it in ${this.loc}`;
  }
  protected async act(r: Real): Promise<Outcome> {
    const dev = r.device(this.d);
    if (this.loc === 'drive' && !r.world.drive.plugged) {
      this.said = `${this.plan()}: the drive is unplugged, nothing saved`;
      return {};
    }
    const names = [`p${this.n}.jpg`, `p${this.n}-small.jpg`];
    const paths = names.map((x) => join(dev.dirs[this.loc], x));
    if (paths.some((p) => existsSync(p))) {
      this.said = `${this.plan()}: the name is taken, nothing saved`;
      return {};
    }
    const made = await pictures(r.newBytes(8 * 6 * 3));
    const hashes = made.map((b) => hashOf(b));
    made.forEach((b, i) => {
      writeFileSync(paths[i]!, b);
      wholeSecond(paths[i]!, Date.now() - 60_000);
      r.contents.add(hashes[i]!);
    });
    await r.world.noticed(dev, this.loc);
    const prints: string[] = [];
    for (const [i, p] of paths.entries()) {
      try {
        const uuid = (await dev.api.meta.show(p)).content_uuid;
        r.photos.set(uuid, hashes[i]!);
        const got = await dev.life.run(() => dev.api.sidecars.get(uuid, 'phash', 'default', { timeoutMs: JOB_WAIT_MS }));
        prints.push(got.state);
      } catch (err) {
        prints.push(answered(err));
      }
    }
    this.said = `${dev.name}: save photo ${this.loc}/${names[0]} (${hashes[0]!.slice(0, 6)}, ${made[0]!.length} bytes) and its re-encode ${names[1]} (${hashes[1]!.slice(0, 6)}, ${made[1]!.length} bytes); fingerprints: ${prints.join(', ')}`;
    return { changed: [dev.index] };
  }
}

/** `vss similar keep KEEP OTHER…` on device D: of its Kth group of near-duplicates, the one vss suggests is kept, the others go to the trash. */
export class SimilarKeep extends Step {
  constructor(private readonly d: number, private readonly k: number) {
    super();
  }
  check(): boolean {
    return true;
  }
  protected plan(): string {
    return `D${this.d}: similar keep (group #${this.k})`;
  }
  protected async act(r: Real): Promise<Outcome> {
    const dev = r.device(this.d);
    const groups = await dev.life.run(() => dev.api.similar.list());
    const g = groups[this.k % Math.max(1, groups.length)];
    if (!g) {
      this.said = `${dev.name}: similar keep: no near-duplicates`;
      return {};
    }
    const others = g.contents.filter((c) => c.content_uuid !== g.keep);
    const kept = r.photos.get(g.keep);
    const let_go = others.map((c) => r.photos.get(c.content_uuid)).filter((h): h is string => h !== undefined);
    const word = (uuid: string) => `${g.contents.find((c) => c.content_uuid === uuid)?.paths[0]?.split('/').slice(-1)[0] ?? uuid} (${r.photos.get(uuid)?.slice(0, 6) ?? '?'})`;
    let said = 'done';
    try {
      await dev.life.run(() => dev.api.similar.keep(g.keep, others.map((c) => c.content_uuid)));
      if (kept) for (const h of let_go) r.keptAs.set(h, kept);
    } catch (err) {
      said = answered(err);
    }
    this.said = `${dev.name}: similar keep ${word(g.keep)} ${others.map((c) => word(c.content_uuid)).join(' ')} → ${said}`;
    // The others go to the trash because the user let them go for the picture kept: what they leave is judged when the trash lets them go for good.
    return { changed: [dev.index], exempt: said === 'done' ? let_go : [] };
  }
}
