/** The engines a model may be for (`vss models add ENGINE …`). */
export const MODEL_ENGINES = ['whisper', 'embeddings'] as const;
export type ModelEngine = (typeof MODEL_ENGINES)[number];

export function isModelEngine(v: string): v is ModelEngine {
  return (MODEL_ENGINES as readonly string[]).includes(v);
}
