/**
 * The face model's process (face-engine.ts starts one and keeps it): loads face-api's wasm build
 * and its three nets from the installed package once, then answers one picture at a time. Its own
 * process because the wasm heap grows to hold the largest picture seen and is never given back
 * (the engine restarts it to return the memory), a wasm abort must not take vss down, and the
 * model's seconds of work must not hold the daemon's event loop. It leaves when its parent does.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { faceModelFiles } from './face-model.js';
import type { ChildMessage, DetectRequest, RawFace } from './face-protocol.js';

/** The most faces one picture gives (a school photo has 40). */
export const MAX_FACES = 100;
/** The detector's own floor: weaker boxes are not faces worth keeping at all. */
const MIN_CONFIDENCE = 0.5;

const send = (m: ChildMessage): void => {
  process.send!(m);
};

process.on('disconnect', () => process.exit(0));

interface Api { tf: any; faceapi: any }

async function load(): Promise<Api> {
  const files = faceModelFiles();
  if ('problem' in files) throw new Error(files.problem);
  const require = createRequire(pathToFileURL(files.entry));
  const tf = require('@tensorflow/tfjs');
  const wasm = require('@tensorflow/tfjs-backend-wasm');
  const faceapi = require(files.entry);
  // tfjs prints a banner and warnings to the console: this process's stdout is not the user's.
  wasm.setWasmPaths(files.wasmDir.endsWith('/') ? files.wasmDir : `${files.wasmDir}/`);
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend could not start');
  await tf.ready();
  await faceapi.nets.ssdMobilenetv1.loadFromDisk(files.modelDir);
  await faceapi.nets.faceLandmark68Net.loadFromDisk(files.modelDir);
  await faceapi.nets.faceRecognitionNet.loadFromDisk(files.modelDir);
  return { tf, faceapi };
}

async function detect(api: Api, req: DetectRequest): Promise<RawFace[]> {
  const { tf, faceapi } = api;
  const input = tf.tensor3d(Int32Array.from(req.pixels), [req.height, req.width, 3], 'int32');
  try {
    const found = await faceapi
      .detectAllFaces(input, new faceapi.SsdMobilenetv1Options({ minConfidence: MIN_CONFIDENCE, maxResults: MAX_FACES }))
      .withFaceLandmarks()
      .withFaceDescriptors();
    return (found as any[]).slice(0, MAX_FACES).map((f): RawFace => {
      const b = f.detection.box;
      return {
        box: { x: b.x, y: b.y, w: b.width, h: b.height },
        score: f.detection.score,
        landmarks: (f.landmarks.positions as Array<{ x: number; y: number }>).flatMap((p) => [p.x, p.y]),
        descriptor: Float32Array.from(f.descriptor as Float32Array),
      };
    });
  } finally {
    input.dispose();
  }
}

const quiet = (): void => undefined;
console.log = quiet;
console.info = quiet;
console.warn = quiet;

const t0 = performance.now();
load().then(
  (api) => {
    send({ type: 'ready', loadMs: Math.round(performance.now() - t0) });
    // One at a time: the wasm build runs on one thread, and the engine sends one request at a time.
    let chain = Promise.resolve();
    process.on('message', (req: DetectRequest) => {
      if (req?.type !== 'detect') return;
      chain = chain.then(async () => {
        const started = performance.now();
        try {
          const faces = await detect(api, req);
          send({ type: 'faces', id: req.id, faces, ms: Math.round(performance.now() - started), rssKiB: process.resourceUsage().maxRSS });
        } catch (err) {
          send({ type: 'error', id: req.id, message: (err as Error).message ?? String(err) });
        }
      });
    });
  },
  (err: unknown) => {
    send({ type: 'error', id: null, message: `the face model could not be loaded: ${(err as Error).message ?? String(err)}` });
    process.disconnect();
  },
);
