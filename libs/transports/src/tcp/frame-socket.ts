import { type Socket } from 'node:net';
import { encodeFrame, FrameDecoder, FrameTooLargeError } from './frame';

export interface FrameSocketOptions {
  maxFrameBytes: number;
  /** A whole frame arrived (an empty one is a heartbeat). */
  onFrame(frame: Buffer): void;
  /**
   * The socket is gone, with why: the peer closed it, an error, a frame above the limit
   * (`protocolError` true: the owner logs it as an error), or the owner's own `destroy(reason)`.
   */
  onClose(reason: string, protocolError: boolean): void;
}

/**
 * A socket carrying frames both ways: Nagle off, frames cut out of the byte stream, and the frames
 * written in one turn of the event loop sent together (one syscall for many small replies).
 */
export class FrameSocket {
  readonly socket: Socket;
  /** When bytes last came in (epoch ms): a peer silent for too long is presumed dead. */
  lastReceived = Date.now();
  readonly #decoder: FrameDecoder;
  #corked = false;
  #reason: string | undefined;
  #protocolError = false;

  constructor(socket: Socket, opts: FrameSocketOptions) {
    this.socket = socket;
    this.#decoder = new FrameDecoder(opts.maxFrameBytes);
    // Nagle's algorithm holds small frames back for the peer's delayed ACK: ~40 ms per call.
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.lastReceived = Date.now();
      let frames: Buffer[];
      try {
        frames = this.#decoder.push(chunk);
      } catch (err) {
        if (!(err instanceof FrameTooLargeError)) throw err;
        // The length cannot be trusted, so neither can anything after it: drop the connection.
        this.#protocolError = true;
        this.destroy(err.message);
        return;
      }
      for (const frame of frames) {
        if (socket.destroyed) return;
        opts.onFrame(frame);
      }
    });
    socket.on('error', (err: Error) => {
      this.#reason ??= err.message;
    });
    socket.on('close', () => opts.onClose(this.#reason ?? 'closed by the peer', this.#protocolError));
  }

  get open(): boolean {
    return !this.socket.destroyed && this.socket.writable;
  }

  /** The socket's buffer is above its high-water mark: the peer reads slower than we write. */
  get congested(): boolean {
    return this.socket.writableNeedDrain;
  }

  /** Sends one frame holding `body`; false when the socket is gone. */
  send(body: Buffer): boolean {
    return this.sendRaw(encodeFrame(body));
  }

  /** Sends bytes that are already a frame (a heartbeat). */
  sendRaw(frame: Buffer): boolean {
    const socket = this.socket;
    if (socket.destroyed || !socket.writable) return false;
    if (!this.#corked) {
      this.#corked = true;
      socket.cork();
      process.nextTick(() => {
        this.#corked = false;
        socket.uncork();
      });
    }
    socket.write(frame);
    return true;
  }

  /** Closes after what was written is sent (a drained server's last replies); destroys it if the peer does not close within `graceMs`. */
  end(reason: string, graceMs: number): void {
    this.#reason ??= reason;
    this.socket.end();
    setTimeout(() => this.socket.destroy(), graceMs).unref();
  }

  destroy(reason: string): void {
    this.#reason ??= reason;
    this.socket.destroy();
  }
}
