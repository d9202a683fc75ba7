/** Messages between the generator (embedding-engine.ts) and its thread (embedding-worker.ts). */

export interface EmbedRequest {
  type: 'embed';
  id: number;
  /** Absolute model folder. */
  dir: string;
  /** Where the ONNX file is and which one: see model-info.ts. */
  subfolder: string;
  dtype: 'fp32' | 'q8';
  /** onnxruntime intra-op threads, fixed when a model is first loaded. */
  threads: number;
  text: string;
  overlapTokens: number;
  maxChunks: number;
}

export interface CancelRequest {
  type: 'cancel';
  id: number;
}

export type WorkerMessage = EmbedRequest | CancelRequest;

export type EmbedReply =
  | {
      id: number;
      ok: true;
      dims: number;
      /** Word pieces per chunk the model was given at most (with its start and end tokens). */
      maxTokens: number;
      truncated: boolean;
      chunks: string[];
      /** chunks.length × dims values, one normalized vector per chunk. */
      vectors: Float32Array;
    }
  | { id: number; ok: false; message: string };
