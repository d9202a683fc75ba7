/**
 * The anchor of bench/faces-bench.ts: face-api run bare, in a process of its own, loaded the way
 * its own Node demo loads it (the wasm build, its nets from its model folder) — none of vss's code
 * — timing detectAllFaces + landmarks + descriptors on pixels the bench decoded once.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
/* The package is untyped where it is loaded by path. */
type Any = any;

const pkg = dirname(dirname(require.resolve('@vladmandic/face-api')));
const tf: Any = require('@tensorflow/tfjs');
const wasm: Any = require('@tensorflow/tfjs-backend-wasm');
const faceapi: Any = require(join(pkg, 'dist', 'face-api.node-wasm.js'));
console.log = () => undefined;
console.warn = () => undefined;

wasm.setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '/'));
await tf.setBackend('wasm');
await tf.ready();
const model = join(pkg, 'model');
await faceapi.nets.ssdMobilenetv1.loadFromDisk(model);
await faceapi.nets.faceLandmark68Net.loadFromDisk(model);
await faceapi.nets.faceRecognitionNet.loadFromDisk(model);
process.send!({ ready: true });
process.on('message', async (m: { pixels: Uint8Array; width: number; height: number }) => {
  const t0 = performance.now();
  const input = tf.tensor3d(Int32Array.from(m.pixels), [m.height, m.width, 3], 'int32');
  const found = await faceapi.detectAllFaces(input, new faceapi.SsdMobilenetv1Options({ minConfidence: 0.5, maxResults: 100 })).withFaceLandmarks().withFaceDescriptors();
  input.dispose();
  process.send!({ ms: performance.now() - t0, faces: found.length, descriptors: found.map((f: Any) => ({ box: f.detection.box, d: Array.from(f.descriptor as Float32Array) })), rssKiB: process.resourceUsage().maxRSS });
});
process.on('disconnect', () => process.exit(0));
