/**
 * The tcp transport's wire: each envelope is one frame, a 4-byte big-endian length and that many
 * bytes of the codec's output. A frame of length 0 is a heartbeat, which a server echoes.
 */
export const HEADER_BYTES = 4;

/** A heartbeat: a frame of length 0. */
export const HEARTBEAT = Buffer.alloc(HEADER_BYTES);

/** One frame holding `body`. */
export function encodeFrame(body: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(HEADER_BYTES + body.length);
  frame.writeUInt32BE(body.length, 0);
  body.copy(frame, HEADER_BYTES);
  return frame;
}

/** An incoming frame announced a length above the limit: the stream cannot be trusted any more. */
export class FrameTooLargeError extends Error {
  readonly bytes: number;
  readonly limit: number;

  constructor(bytes: number, limit: number, header: Buffer) {
    // A peer that is not a junction transport (an HTTP server, say) shows itself in the header's bytes.
    const text = header.toString('latin1');
    const printable = /^[\x20-\x7e]{4}$/.test(text) ? `; its first bytes read "${text}", so the peer may not be a junction tcp transport` : '';
    super(`a frame announced ${bytes} bytes, more than maxFrameBytes (${limit})${printable}`);
    this.name = 'FrameTooLargeError';
    this.bytes = bytes;
    this.limit = limit;
  }
}

/**
 * Cuts a byte stream into frames, whatever the chunking: a frame split over many chunks, many
 * frames in one chunk. A large frame's chunks are kept as they come and joined once, when the last
 * arrives, rather than re-joined on every chunk.
 */
export class FrameDecoder {
  readonly #maxFrameBytes: number;
  #chunks: Buffer[] = [];
  #buffered = 0;
  /** The body length of the frame being read, once its header is in; -1 before. */
  #length = -1;

  constructor(maxFrameBytes: number) {
    this.#maxFrameBytes = maxFrameBytes;
  }

  /** Bytes received and not yet part of a whole frame (a header already read is not counted). */
  get buffered(): number {
    return this.#buffered;
  }

  /** Adds a chunk and returns the frames it completes (an empty Buffer for a heartbeat). Throws FrameTooLargeError. */
  push(chunk: Buffer): Buffer[] {
    const frames: Buffer[] = [];
    if (chunk.length === 0) return frames;
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    for (;;) {
      if (this.#length < 0) {
        if (this.#buffered < HEADER_BYTES) break;
        const header = this.#take(HEADER_BYTES);
        const length = header.readUInt32BE(0);
        if (length > this.#maxFrameBytes) throw new FrameTooLargeError(length, this.#maxFrameBytes, header);
        this.#length = length;
      }
      if (this.#buffered < this.#length) break;
      frames.push(this.#take(this.#length));
      this.#length = -1;
    }
    return frames;
  }

  /** Removes and returns the first `n` buffered bytes (a view of a chunk when it holds them all). */
  #take(n: number): Buffer {
    this.#buffered -= n;
    const first = this.#chunks[0];
    if (n === 0) return Buffer.alloc(0);
    if (first.length > n) {
      this.#chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    if (first.length === n) {
      this.#chunks.shift();
      return first;
    }
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    while (at < n) {
      const chunk = this.#chunks[0];
      const used = Math.min(chunk.length, n - at);
      chunk.copy(out, at, 0, used);
      at += used;
      if (used === chunk.length) this.#chunks.shift();
      else this.#chunks[0] = chunk.subarray(used);
    }
    return out;
  }
}
