import { VssError } from '../../core/errors.js';
import { CHUNK, chunkCount, sealChunk, sealChunkInto, sealedSize } from './age-object.js';

const TAG = 16;

/**
 * The sealed file an upload sends, made from its plaintext as it is read and cut into the parts
 * the upload sends (`PART` bytes each, the last what is left; one part when it all fits, as
 * `S3Bucket.upload` asks): the header (HEAD, `newHead`), then each chunk sealed under PAYLOADKEY
 * straight into its part (a chunk that straddles two parts is sealed on its own and split). The
 * same steps on the main thread and in the sealing worker (seal-worker.ts), so both make the
 * same bytes. Each part is a buffer of its own (never a pool's slice): it can be transferred.
 */
export class PartSealer {
  readonly total: number;
  private readonly final: number;
  private index = 0;
  private part: Buffer | undefined;
  private at = 0;
  /** Sealed bytes in the parts begun (the one being filled included). */
  private begun = 0;
  private head: Buffer | undefined;

  constructor(head: Buffer, private readonly payloadKey: Buffer, private readonly size: number, private readonly partSize: number) {
    this.head = head;
    this.total = sealedSize(size);
    this.final = chunkCount(size) - 1;
  }

  /** Whether every chunk is sealed (every part given). */
  get done(): boolean {
    return this.index > this.final;
  }

  /**
   * The parts completed by PLAIN, the file's next bytes: whole chunks, but for the file's end (an
   * empty file's one empty chunk is pushed as an empty PLAIN).
   */
  push(plain: Uint8Array): Buffer[] {
    const parts: Buffer[] = [];
    if (this.head) {
      this.write(this.head, parts);
      this.head = undefined;
    }
    const chunks = plain.length === 0 && this.size === 0 ? 1 : Math.ceil(plain.length / CHUNK);
    if (this.index + chunks - 1 > this.final) throw new VssError('IO', `an upload's sealer was given more than the ${this.size} bytes of its file`);
    if (this.index + chunks - 1 < this.final && plain.length !== chunks * CHUNK) throw new VssError('IO', `an upload's sealer was given ${plain.length} bytes, not whole chunks, before its file's end`);
    for (let i = 0; i < chunks; i++, this.index++) {
      const bytes = plain.subarray(i * CHUNK, (i + 1) * CHUNK);
      const last = this.index === this.final;
      const room = this.room();
      if (room >= bytes.length + TAG) {
        this.at += sealChunkInto(this.payloadKey, this.index, last, bytes, this.part!, this.at);
        if (this.at === this.part!.length) this.give(parts);
      } else {
        this.write(sealChunk(this.payloadKey, this.index, last, bytes), parts);
      }
    }
    return parts;
  }

  /** Room left in the part being filled (a part begun when none is). */
  private room(): number {
    if (!this.part) {
      this.part = Buffer.allocUnsafeSlow(Math.min(this.partSize, this.total - this.begun));
      this.begun += this.part.length;
      this.at = 0;
    }
    return this.part.length - this.at;
  }

  private write(bytes: Buffer, parts: Buffer[]): void {
    while (bytes.length > 0) {
      const k = Math.min(this.room(), bytes.length);
      bytes.copy(this.part!, this.at, 0, k);
      this.at += k;
      bytes = bytes.subarray(k);
      if (this.at === this.part!.length) this.give(parts);
    }
  }

  private give(parts: Buffer[]): void {
    parts.push(this.part!);
    this.part = undefined;
  }
}
