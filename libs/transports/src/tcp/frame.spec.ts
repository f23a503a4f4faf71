import { encodeFrame, FrameDecoder, FrameTooLargeError, HEARTBEAT } from './frame';

const text = (frames: Buffer[]) => frames.map((f) => f.toString());

describe('tcp frames', () => {
  it('decodes a frame that arrives in one chunk', () => {
    const decoder = new FrameDecoder(1024);
    expect(text(decoder.push(encodeFrame(Buffer.from('{"v":1}'))))).toEqual(['{"v":1}']);
    expect(decoder.buffered).toBe(0);
  });

  it('decodes a frame that arrives one byte at a time, header included', () => {
    const decoder = new FrameDecoder(1024);
    const bytes = encodeFrame(Buffer.from('shot «sh0010» 🎬'));
    const frames: Buffer[] = [];
    for (let i = 0; i < bytes.length; i++) {
      const out = decoder.push(bytes.subarray(i, i + 1));
      if (i < bytes.length - 1) expect(out).toEqual([]);
      frames.push(...out);
    }
    expect(text(frames)).toEqual(['shot «sh0010» 🎬']);
  });

  it('decodes several frames in one chunk, heartbeats among them, and keeps the partial one that follows', () => {
    const decoder = new FrameDecoder(1024);
    const third = encodeFrame(Buffer.from('third'));
    const chunk = Buffer.concat([encodeFrame(Buffer.from('one')), HEARTBEAT, encodeFrame(Buffer.from('two')), third.subarray(0, 6)]);
    expect(text(decoder.push(chunk))).toEqual(['one', '', 'two']);
    expect(decoder.buffered).toBe(2); // the third's header is read: 2 of its 5 body bytes wait
    expect(text(decoder.push(third.subarray(6)))).toEqual(['third']);
  });

  it('decodes a 1 MiB frame split into 64 KiB chunks, and the frame after it', () => {
    const decoder = new FrameDecoder(2 * 1024 * 1024);
    const body = Buffer.alloc(1024 * 1024, 'abcdefgh');
    const bytes = Buffer.concat([encodeFrame(body), encodeFrame(Buffer.from('next'))]);
    const frames: Buffer[] = [];
    for (let at = 0; at < bytes.length; at += 65536) frames.push(...decoder.push(bytes.subarray(at, at + 65536)));
    expect(frames).toHaveLength(2);
    expect(frames[0].equals(body)).toBe(true);
    expect(frames[1].toString()).toBe('next');
  });

  it('accepts a frame of exactly maxFrameBytes', () => {
    const decoder = new FrameDecoder(1024);
    expect(decoder.push(encodeFrame(Buffer.alloc(1024, 1)))[0]).toHaveLength(1024);
  });

  it('refuses a frame announced above maxFrameBytes as soon as its header is in, naming both sizes', () => {
    const decoder = new FrameDecoder(1024);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(1025, 0);
    expect(() => decoder.push(header)).toThrow(new FrameTooLargeError(1025, 1024, header));
    expect(() => new FrameDecoder(1024).push(header)).toThrow('a frame announced 1025 bytes, more than maxFrameBytes (1024)');
  });

  it('says when the peer does not speak frames at all (an HTTP server, say)', () => {
    const decoder = new FrameDecoder(16 * 1024 * 1024);
    expect(() => decoder.push(Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n'))).toThrow(
      'a frame announced 1213486160 bytes, more than maxFrameBytes (16777216); its first bytes read "HTTP", so the peer may not be a junction tcp transport',
    );
  });
});
