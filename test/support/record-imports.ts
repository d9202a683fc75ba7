/**
 * Preloaded with `node --import` to record every module a process loads: each resolved URL is
 * appended, one a line, to the file named by VSS_RECORD_IMPORTS. Used to prove that light
 * commands never load an engine (sharp, tesseract.js, pdfjs, onnxruntime, whisper, ffmpeg).
 */
import { register } from 'node:module';

const out = process.env.VSS_RECORD_IMPORTS;
if (out) register(new URL('./record-imports-hooks.js', import.meta.url), { data: { out } });
