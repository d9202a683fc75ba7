import type { ContentKind } from '../content/kinds.js';
import type { GeneratedKind, SidecarKind } from '../sidecars/kinds.js';

/**
 * The contract between the job runner and a generator. A generator makes the sidecars of one
 * kind for one content from a source file on this device; the runner finds the source, writes
 * what it returns atomically, records it and handles retries, timeouts and cancellation.
 * A new generator is one file implementing `Generator` plus a line in `registry.ts` (its kind's
 * spec in `sidecars/kinds/` says `made: 'generator'`; the registry does not compile without it).
 */

/** The content being worked on and one current file of it on this device. */
export interface SourceContent {
  contentUuid: string;
  kind: ContentKind;
  mime: string;
  size: number;
  /** Absolute path of a present file with this content (re-checked just before the job runs). */
  path: string;
  /** Media metadata read in deep mode (ExifTool), or null. */
  metadata: Record<string, unknown> | null;
}

/** Device-local settings a generator may need (engines, models, languages, threads). */
export interface GeneratorSettings {
  /** tesseract language codes, e.g. ['eng']. */
  ocrLanguages: string[];
  /** Registered models on this device (`vss models add`), by engine. */
  models: { whisper?: string; embeddings?: Array<{ id: string; dir: string }> };
  /** Threads an engine may use (whisper, ffmpeg, onnxruntime). */
  threads: number;
  /** Most pages of a PDF or TIFF to read for OCR (default 50). */
  ocrMaxPages?: number;
  /** Largest HEIC file decoded, in bytes (libheif holds it whole; default in input-limits.ts). */
  heicMaxBytes?: number;
  /** Largest PDF opened, in bytes (pdfjs holds it whole; default in input-limits.ts). */
  pdfMaxBytes?: number;
}

export interface GeneratorContext {
  source: SourceContent;
  /** The variants to make in this run (all of them from one decode where the kind allows). */
  variants: readonly string[];
  /** Aborted on cancel or timeout: stop work and kill child processes. */
  signal: AbortSignal;
  /** The time this run may take; tools should use `signal`, this is for choosing inner limits. */
  timeoutMs: number;
  /** When (Date.now()) the job's time runs out; absent: `timeoutMs` from now. */
  deadline?: number;
  settings: GeneratorSettings;
  /** A private folder for intermediate files, removed after the run. */
  scratchDir: string;
  /**
   * A temporary path beside the final address, for tools that write the output file themselves
   * (ffmpeg). Return it as `{ file }`; the runner fsyncs, hashes and renames it into place.
   */
  tempFileFor(variant: string, format: string): string;
  /** The bytes of a ready sidecar of this content (embeddings read OCR and transcripts), if any. */
  readSidecar(kind: SidecarKind, variant: string): Buffer | undefined;
  /**
   * Why this content will never have that sidecar, when its generator said so (`skip`: a video
   * without sound has no transcript, a recording without speech neither); else undefined.
   */
  notApplicable(kind: SidecarKind, variant: string): string | undefined;
}

/** What a generator returns, one item per requested variant. */
export type GeneratedOutput =
  /** Bytes to write at the variant's address. */
  | { variant: string; format: string; data: Buffer }
  /** A finished file at `ctx.tempFileFor(variant, format)`. */
  | { variant: string; format: string; file: string }
  /**
   * This content has nothing to make for this variant (a video without audio, a recording without
   * speech): not a failure; recorded as the content's answer (`notApplicable`) and not asked again.
   */
  | { variant: string; skip: string }
  /** Not yet: something it needs (an OCR text) is still to come; the job is tried again later. */
  | { variant: string; wait: string };

export type Availability = { ok: true } | { ok: false; reason: string };

export interface Generator<K extends GeneratedKind = GeneratedKind> {
  kind: K;
  /** name@version is recorded on every sidecar it makes; bump the version when output changes. */
  name: string;
  version: string;
  /** Whether this generator makes VARIANT for a content of this kind and MIME type. Cheap, no I/O. */
  accepts(content: { kind: ContentKind; mime: string; metadata?: Record<string, unknown> | null }, variant: string): boolean;
  /** Whether its engine or model is usable on this device; the reason is shown once to the user. */
  availability(settings: GeneratorSettings): Availability;
  generate(ctx: GeneratorContext): Promise<GeneratedOutput[]>;
}

/**
 * A generator's failure. `permanent` (corrupt, unsupported, hostile input) fails the job at once
 * with the reason; otherwise (a tool that could not start, a timeout) it is retried with backoff
 * until the job's last attempt. A full disk is neither: the job waits for space (jobs/disk-full.ts).
 */
export class GeneratorError extends Error {
  readonly permanent: boolean;
  readonly path: string | undefined;

  constructor(message: string, options: { permanent: boolean; path?: string; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GeneratorError';
    this.permanent = options.permanent;
    this.path = options.path;
  }
}
