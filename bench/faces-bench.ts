/**
 * `npm run bench:faces [-- --rounds R] [--faces N] [--contents M] [--query-runs Q] [--set DIR] [--no-photos] [--no-cluster] [--no-search]`
 *
 * Faces and people (issue 31), each against an anchor run in the same script:
 *   (a) seconds per photo, 12 MP and 2 MP (face-api's six sample group photos scaled up and down):
 *       the faces generator as a job runs it (decode, the model in its kept process, crops,
 *       sharpness, JSON) against the model run bare in a process of its own on pixels decoded once
 *       (bench/faces-bare-child.ts)                                       target ≤ 1.1× the bare model
 *       and the model process's peak RSS                                  target < 600 MiB
 *   (b) clustering N faces (default 100,000; synthetic descriptors shaped like face-api's,
 *       test/support/synthetic-faces.ts): the people pass's clustering    target < 60 s
 *       Anchor: every pair compared, at 10,000 faces, against ours at 10,000.
 *   (c) `person:` through the core API's search over M contents (default 100,000)   target p99 < 50 ms
 *       Anchor: the bare SQL answering the same question on the same database.
 *   (d) with --set DIR (a labelled set: DIR/labels.json, see docs/research/faces-labelled-set.md):
 *       faces found, false faces on photos with none, and the pairwise precision and recall of the
 *       people found, against the same model's descriptors with one fixed threshold
 *                      targets ≥ 95 % found, ≤ 1 in 20 no-face photos with a face, precision ≥ 0.95, recall ≥ 0.80
 */
import { fork } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { Vss } from '../src/api/vss.js';
import { faceEnginePeakRssKiB, stopFaceEngine } from '../src/generators/faces/face-engine.js';
import { facesGenerator } from '../src/generators/faces/faces-generator.js';
import type { GeneratorContext } from '../src/generators/types.js';
import { clusterFaces, CLUSTER_PARAMS } from '../src/people/cluster.js';
import { neighbourGraph } from '../src/people/neighbours.js';
import { SharedData, type UnstampedOp } from '../src/tags/shared-data.js';
import type { FacesJson } from '../src/wire/sidecar-json.js';
import { buildBigLibrary } from '../test/support/big-library.js';
import { pairwise, syntheticFaces } from '../test/support/synthetic-faces.js';
import { mulberry32 } from './mulberry32.js';
import { Summary, benchArgs, freshDir, kilo, median, num, ratio, rmrf, runMain, secs } from './util.js';

const require = createRequire(import.meta.url);
const FACES_MAX_EDGE = 1920;

function context(path: string, scratch: string): GeneratorContext {
  return {
    source: { contentUuid: '00000000-0000-4000-8000-000000000001', kind: 'image', mime: 'image/jpeg', size: statSync(path).size, path, metadata: null },
    variants: ['default', 'face@1x'],
    signal: AbortSignal.timeout(600_000),
    timeoutMs: 600_000,
    settings: { ocrLanguages: [], models: {}, threads: 2 },
    scratchDir: scratch,
    tempFileFor: (v, f) => join(scratch, `${v}.${f}`),
    readSidecar: () => undefined,
    notApplicable: () => undefined,
  };
}

/** The bare model's process: pixels in, its own time out. */
async function bareModel(): Promise<{ run: (px: { data: Buffer; width: number; height: number }) => Promise<{ ms: number; faces: number; rssKiB: number; descriptors: Array<{ box: { x: number; y: number; width: number; height: number }; d: number[] }> }>; stop: () => void }> {
  const child = fork(join(dirname(fileURLToPath(import.meta.url)), 'faces-bare-child.js'), { serialization: 'advanced', stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  await new Promise<void>((resolve) => child.once('message', () => resolve()));
  return {
    run: (px) => new Promise((resolve) => {
      child.once('message', (m) => resolve(m as never));
      child.send({ pixels: px.data, width: px.width, height: px.height });
    }),
    stop: () => child.kill('SIGKILL'),
  };
}

async function decode(path: string): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(path).rotate().resize({ width: FACES_MAX_EDGE, height: FACES_MAX_EDGE, fit: 'inside', withoutEnlargement: true }).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

async function benchPhotos(o: { rounds: number }, dir: string, summary: Summary): Promise<void> {
  const demo = join(dirname(dirname(require.resolve('@vladmandic/face-api'))), 'demo');
  const sizes = [{ label: '12 MP', pixels: 12e6 }, { label: '2 MP', pixels: 2e6 }];
  const bare = await bareModel();
  try {
    for (const size of sizes) {
      const photos: string[] = [];
      for (let i = 1; i <= 6; i++) {
        const src = join(demo, `sample${i}.jpg`);
        const m = await sharp(src).metadata();
        const scale = Math.sqrt(size.pixels / (m.width! * m.height!));
        const out = join(dir, `${size.label.replace(' ', '')}-${i}.jpg`);
        await sharp(src).resize({ width: Math.round(m.width! * scale) }).jpeg({ quality: 90 }).toFile(out);
        photos.push(out);
      }
      const pixels = await Promise.all(photos.map(decode));
      // Warm both: the first picture of a process pays the wasm kernels' warm-up.
      await facesGenerator.generate(context(photos[0]!, dir));
      await bare.run(pixels[0]!);
      // Ours as the job runner runs faces jobs: two at once (one decodes while the other's picture is
      // in the model), so a photo costs the wall time of the batch over its size. The bare model: one
      // picture after the other, its own time only (the pixels were decoded before).
      const ours: number[] = [];
      const theirs: number[] = [];
      for (let r = 0; r < o.rounds; r++) {
        const t0 = performance.now();
        let next = 0;
        const counts: number[] = [];
        const worker = async () => {
          for (let i = next++; i < photos.length; i = next++) {
            const out = await facesGenerator.generate(context(photos[i]!, dir));
            counts[i] = (JSON.parse((out[0] as { data: Buffer }).data.toString()) as FacesJson).faces.length;
          }
        };
        await Promise.all([worker(), worker()]);
        ours.push((performance.now() - t0) / photos.length);
        let bareMs = 0;
        for (const [i, px] of pixels.entries()) {
          const b = await bare.run(px);
          bareMs += b.ms;
          if (r === 0 && b.faces !== counts[i]) console.log(`    note: ${photos[i]}: ours found ${counts[i]} faces, the bare model ${b.faces}`);
        }
        theirs.push(bareMs / photos.length);
      }
      const oursS = median(ours) / 1000;
      const bareS = median(theirs) / 1000;
      console.log(`(a) ${size.label}: ours ${secs(oursS)} a photo (6 photos, two jobs at once; median of ${ours.length} rounds), the bare model ${secs(bareS)}`);
      summary.add({ what: `(a) faces of a ${size.label} photo (generator vs bare model)`, value: secs(oursS), ratio: ratio(oursS / bareS), target: '≤ 1.1× bare', ok: oursS / bareS <= 1.1 });
    }
    const rss = faceEnginePeakRssKiB() / 1024;
    summary.add({ what: '(a) peak RSS of the model process', value: `${num(rss)} MiB`, ratio: '', target: '< 600 MiB', ok: rss < 600 });
  } finally {
    bare.stop();
    stopFaceEngine();
  }
}

function benchCluster(o: { faces: number }, summary: Summary): void {
  const rnd = mulberry32(9);
  const make = (n: number) => syntheticFaces(Math.max(1, Math.round(n / 20)), () => 1 + Math.floor(rnd() * 39), 9);
  // The anchor: every pair at 10k, and ours at the same 10k.
  const small = make(10_000);
  const ns = small.truth.length;
  const all = new Uint8Array(ns).fill(1);
  let t0 = performance.now();
  neighbourGraph(small.vectors, small.dims, all, CLUSTER_PARAMS.join, { exactUpTo: Infinity, probes: 1 });
  const exactS = (performance.now() - t0) / 1000;
  t0 = performance.now();
  clusterFaces({ vectors: small.vectors, dims: small.dims, clusterable: all, pins: new Map() });
  const ours10kS = (performance.now() - t0) / 1000;
  console.log(`(b) ${kilo(ns)} faces: every pair compared ${secs(exactS)}; our whole clustering ${secs(ours10kS)}`);
  const big = make(o.faces);
  const n = big.truth.length;
  t0 = performance.now();
  const r = clusterFaces({ vectors: big.vectors, dims: big.dims, clusterable: new Uint8Array(n).fill(1), pins: new Map() });
  const s = (performance.now() - t0) / 1000;
  const q = pairwise(r.labels, big.truth);
  console.log(`(b) ${kilo(n)} faces of ${kilo(Math.round(n / 20))} people clustered in ${secs(s)}: ${kilo(r.edges)} close pairs; pairwise precision ${q.precision.toFixed(4)}, recall ${q.recall.toFixed(4)}`);
  summary.add({ what: `(b) clustering ${kilo(n)} faces`, value: secs(s), ratio: `${ratio(ours10kS / exactS)} at 10k`, target: '< 60 s', ok: s < 60 });
}

async function benchSearch(o: { contents: number; 'query-runs': number }, dir: string, summary: Summary): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const big = buildBigLibrary(dir, { contents: o.contents });
  const lib = big.lib;
  const contents = lib.db.prepare('SELECT uuid FROM content_identities ORDER BY id').pluck().all() as string[];
  const rnd = mulberry32(31);
  const PEOPLE = 2000;
  const persons = Array.from({ length: PEOPLE }, (_, k) => `${(k + 1).toString(16).padStart(8, '0')}-0000-4000-8000-${'0'.repeat(12)}`);
  const descriptor = Buffer.alloc(512);
  let faces = 0;
  lib.store.transaction(() => {
    for (const c of contents) {
      if (rnd() >= 0.4) continue;
      const k = 1 + Math.floor(rnd() * 3);
      const rows = Array.from({ length: k }, (_, i) => ({ face_id: `${c.slice(0, 34)}${i.toString(16).padStart(2, '0')}`, content_uuid: c, idx: i, x: 0.1, y: 0.1, w: 0.1, h: 0.1, score: 0.9, clusterable: 1 as const, quality: null, descriptor }));
      lib.store.faces.replaceContent(c, rows);
      // A few people are in many photos, most in few (Zipf-like).
      lib.store.faces.setPersons(rows.map((f) => ({ face_id: f.face_id, person_id: persons[Math.min(PEOPLE - 1, Math.floor(PEOPLE * rnd() ** 3))]! })));
      faces += k;
    }
  });
  const shared = new SharedData(lib);
  const ops: UnstampedOp[] = persons.map((id, k) => ({ record: 'person', id, set: { name: `person ${k}` } }));
  shared.commit(ops);
  lib.store.faces.clearDirty();
  const root = lib.root;
  lib.close();
  console.log(`(c) ${kilo(contents.length)} contents, ${kilo(faces)} faces of ${kilo(PEOPLE)} named people`);
  const api = new Vss({ dataDir: big.dataDir }).openLibrary({ path: root });
  const bare = new Database(join(root, 'database.db'), { readonly: true, fileMustExist: true });
  bare.pragma('cache_size = -32000');
  try {
    const names = ['person 0', 'person 3', 'person 50', 'person 700', 'person 1999'];
    const bareSql = bare.prepare(`SELECT x.content_uuid, (SELECT kind FROM content_identities WHERE uuid = x.content_uuid) AS kind FROM
      (SELECT DISTINCT f.content_uuid FROM faces f JOIN people p ON p.person_id = f.person_id WHERE p.name = ? COLLATE NOCASE ORDER BY f.content_uuid LIMIT 50) x`);
    const ours: number[] = [];
    const theirs: number[] = [];
    for (const name of names) {
      const a = (await api.search.answer(`person:"${name}"`)).results.map((r) => r.content_uuid);
      const b = (bareSql.all(name) as Array<{ content_uuid: string }>).map((r) => r.content_uuid);
      if (a.join() !== b.join()) throw new Error(`person:"${name}": the search and the bare SQL disagree (${a.length} / ${b.length})`);
    }
    for (let r = 0; r < o['query-runs']; r++) {
      for (const name of names) {
        let t0 = performance.now();
        await api.search.answer(`person:"${name}"`);
        ours.push(performance.now() - t0);
        t0 = performance.now();
        bareSql.all(name);
        theirs.push(performance.now() - t0);
      }
    }
    const p99 = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.min(xs.length - 1, Math.floor(xs.length * 0.99))]!;
    console.log(`(c) person: p50 ${num(median(ours))} ms, p99 ${num(p99(ours))} ms; bare SQL p50 ${num(median(theirs))} ms, p99 ${num(p99(theirs))} ms`);
    summary.add({ what: `(c) person: search at ${kilo(contents.length)} contents, p99`, value: `${num(p99(ours))} ms`, ratio: ratio(median(ours) / median(theirs)), target: 'p99 < 50 ms', ok: p99(ours) < 50 });
  } finally {
    bare.close();
    api.close();
  }
}

type Box = { x: number; y: number; w: number; h: number };
/** docs/research/faces-labelled-set.md: `people` named (a box each, or none in a photo of one face), `unnamed` and `optional` boxes. */
interface Labels { photos: Array<{ file: string; faces: number; people: Array<{ name: string; box?: Box }>; unnamed?: Array<{ box: Box }>; optional?: Array<{ box: Box }> }> }

const inBox = (f: { box: Box }, b: Box) => {
  const cx = f.box.x + f.box.w / 2;
  const cy = f.box.y + f.box.h / 2;
  return cx >= b.x && cx <= b.x + b.w && cy >= b.y && cy <= b.y + b.h;
};

async function benchQuality(setDir: string, dir: string, summary: Summary): Promise<void> {
  const labels = JSON.parse(readFileSync(join(setDir, 'labels.json'), 'utf8')) as Labels;
  let labelled = 0;
  let found = 0;
  let noFacePhotos = 0;
  let noFaceWithFace = 0;
  let extra = 0;
  const vectors: number[] = [];
  const clusterable: number[] = [];
  const truth: Array<number | null> = [];
  const names = new Map<string, number>();
  const t0 = performance.now();
  for (const p of labels.photos) {
    const path = join(setDir, p.file);
    const out = await facesGenerator.generate({ ...context(path, dir), source: { ...context(path, dir).source, mime: p.file.toLowerCase().endsWith('.png') ? 'image/png' : 'image/jpeg' } });
    const json = JSON.parse((out[0] as { data: Buffer }).data.toString()) as FacesJson;
    if (p.faces === 0) {
      noFacePhotos++;
      if (json.faces.length > 0) noFaceWithFace++;
    }
    labelled += p.faces;
    // A counted face is found when a face found has its centre in its box (a photo of one face with no box: the largest found).
    const largest = [...json.faces].sort((a, b) => b.box.w * b.box.h - a.box.w * a.box.h)[0];
    const counted: Array<{ name: string | null; box?: Box }> = [...p.people.map((x) => ({ name: x.name, ...(x.box ? { box: x.box } : {}) })), ...(p.unnamed ?? []).map((x) => ({ name: null, box: x.box }))];
    const match = (c: { box?: Box }) => (c.box ? json.faces.find((f) => inBox(f, c.box!)) : largest);
    found += Math.min(p.faces, counted.filter((c) => match(c) !== undefined).length);
    const who = json.faces.map((f) => counted.find((c) => match(c) === f)?.name ?? null);
    if (p.faces > 0) extra += json.faces.filter((f) => !counted.some((c) => match(c) === f) && !(p.optional ?? []).some((o) => inBox(f, o.box))).length;
    json.faces.forEach((f, i) => {
      vectors.push(...f.embedding);
      clusterable.push(f.quality.ok ? 1 : 0);
      const name = who[i];
      truth.push(name ? (names.get(name) ?? names.set(name, names.size).get(name)!) : null);
    });
  }
  const perPhoto = (performance.now() - t0) / 1000 / labels.photos.length;
  const v = Float32Array.from(vectors);
  const n = truth.length;
  const r = clusterFaces({ vectors: v, dims: 128, clusterable: Uint8Array.from(clusterable), pins: new Map() });
  const lab = truth.map((t, i) => (t === null ? -1 : i)).filter((i) => i >= 0);
  const ours = pairwise(lab.map((i) => r.labels[i] ?? null), lab.map((i) => truth[i]!));
  // The bare anchor: two faces are one person when their descriptors are nearer than one threshold.
  const dist = (i: number, j: number) => Math.sqrt(Array.from({ length: 128 }, (_, d) => (v[i * 128 + d]! - v[j * 128 + d]!) ** 2).reduce((a, b) => a + b, 0));
  const bareAt = (t: number) => {
    let tp = 0, fp = 0, fn = 0;
    for (let a = 0; a < lab.length; a++) for (let b = a + 1; b < lab.length; b++) {
      const same = truth[lab[a]!] === truth[lab[b]!];
      const said = dist(lab[a]!, lab[b]!) < t;
      if (said && same) tp++; else if (said) fp++; else if (same) fn++;
    }
    return { precision: tp / Math.max(1, tp + fp), recall: tp / Math.max(1, tp + fn) };
  };
  console.log(`(d) ${labels.photos.length} photos (${secs(perPhoto)} a photo), ${labelled} counted faces (${found} found), ${names.size} people, ${n} faces found in all (${extra} where no face was labelled); ${lab.length} matched to a named face`);
  for (const t of [0.4, 0.45, 0.5, 0.55, 0.6]) {
    const b = bareAt(t);
    console.log(`    bare threshold ${t}: precision ${b.precision.toFixed(3)}, recall ${b.recall.toFixed(3)}`);
  }
  const b5 = bareAt(0.5);
  console.log(`    ours: precision ${ours.precision.toFixed(3)}, recall ${ours.recall.toFixed(3)}`);
  const rate = found / Math.max(1, labelled);
  summary.add({ what: '(d) faces found on the labelled set', value: `${(rate * 100).toFixed(1)} %`, ratio: '', target: '≥ 95 %', ok: rate >= 0.95 });
  summary.add({ what: '(d) no-face photos given a face', value: `${noFaceWithFace} of ${noFacePhotos}`, ratio: '', target: '≤ 1 in 20', ok: noFaceWithFace * 20 <= noFacePhotos });
  summary.add({ what: '(d) pairwise precision / recall (bare at 0.5)', value: `${ours.precision.toFixed(3)} / ${ours.recall.toFixed(3)}`, ratio: `${b5.precision.toFixed(2)} / ${b5.recall.toFixed(2)}`, target: '≥ 0.95 / ≥ 0.80', ok: ours.precision >= 0.95 && ours.recall >= 0.8 });
  stopFaceEngine();
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const setAt = argv.indexOf('--set');
  const setDir = setAt >= 0 ? argv.splice(setAt, 2)[1] : process.env.VSS_FACES_SET;
  const o = benchArgs('faces-bench [--rounds R] [--faces N] [--contents M] [--query-runs Q] [--set DIR] [--no-photos] [--no-cluster] [--no-search] [--keep]', {
    rounds: { default: 3, min: 1 }, faces: { default: 100_000, min: 1000 }, contents: { default: 100_000, min: 1000 }, 'query-runs': { default: 40, min: 1 },
  }, ['no-photos', 'no-cluster', 'no-search', 'keep'], argv);
  const dir = freshDir(tmpdir(), 'vss-facesbench-');
  const summary = new Summary();
  try {
    if (!o['no-photos']) await benchPhotos(o, dir, summary);
    if (!o['no-cluster']) benchCluster(o, summary);
    if (!o['no-search']) await benchSearch(o, join(dir, 'search'), summary);
    if (setDir && existsSync(join(setDir, 'labels.json'))) await benchQuality(setDir, dir, summary);
    else console.log('(d) skipped: no labelled set (--set DIR or VSS_FACES_SET, with DIR/labels.json)');
    console.log('');
    summary.print();
  } finally {
    stopFaceEngine();
    if (o.keep) console.log(`kept ${dir}`);
    else rmrf(dir);
  }
}

runMain(import.meta.url, main);
