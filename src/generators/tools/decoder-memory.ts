/**
 * How a decoder process learns its memory cap (run-in-child.ts sets it), to name it in a reason.
 * A module of its own: the decoder side imports it without the spawning side's imports.
 */
export const DECODER_MEMORY_ENV = 'VSS_DECODER_MEMORY_MB';

/** The cap of this decoder process, MiB, or undefined outside one. */
export function decoderMemoryMb(): number | undefined {
  const mb = Number(process.env[DECODER_MEMORY_ENV]);
  return Number.isFinite(mb) && mb > 0 ? mb : undefined;
}
