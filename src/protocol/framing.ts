/**
 * Splits a byte stream into Kafka frames (int32 size, then that many bytes). Pure: the server feeds it
 * socket chunks. The size is checked against the limit as soon as its four bytes arrive, before any
 * buffer of that size exists, so a hostile size field costs nothing.
 */

export class FrameTooLargeError extends Error {
  override name = 'FrameTooLargeError';
  constructor(
    readonly size: number,
    readonly limit: number,
  ) {
    super(`frame of ${size} bytes exceeds socket.request.max.bytes (${limit})`);
  }
}

export class FrameDecoder {
  private pending: Buffer[] = [];
  private pendingLength = 0;
  private frameSize = -1;

  /** The largest frame accepted; a connection lowers it until its client has authenticated (sasl.server.max.receive.size). */
  constructor(public maxFrameBytes: number) {}

  /** Bytes received but not yet returned as a frame. */
  get bufferedBytes(): number {
    return this.pendingLength;
  }

  /** Feeds a chunk and returns every frame it completes (frames are views: copy to keep them long). */
  push(chunk: Buffer): Buffer[] {
    this.pending.push(chunk);
    this.pendingLength += chunk.length;
    const frames: Buffer[] = [];
    for (;;) {
      if (this.frameSize < 0) {
        if (this.pendingLength < 4) break;
        const size = this.peekInt32();
        if (size < 0 || size > this.maxFrameBytes) throw new FrameTooLargeError(size, this.maxFrameBytes);
        this.frameSize = size;
        this.consume(4);
      }
      if (this.pendingLength < this.frameSize) break;
      frames.push(this.consume(this.frameSize));
      this.frameSize = -1;
    }
    return frames;
  }

  private peekInt32(): number {
    const first = this.pending[0]!;
    if (first.length >= 4) return first.readInt32BE(0);
    const head = Buffer.concat(this.pending, 4);
    return head.readInt32BE(0);
  }

  /** Removes and returns the next n bytes; a view when they lie in one chunk. */
  private consume(n: number): Buffer {
    this.pendingLength -= n;
    const first = this.pending[0];
    if (first && first.length >= n) {
      const out = first.subarray(0, n);
      if (first.length === n) this.pending.shift();
      else this.pending[0] = first.subarray(n);
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.pending[0]!;
      const take = Math.min(chunk.length, n - filled);
      chunk.copy(out, filled, 0, take);
      filled += take;
      if (take === chunk.length) this.pending.shift();
      else this.pending[0] = chunk.subarray(take);
    }
    return out;
  }
}
