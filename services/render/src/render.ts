import { setTimeout as sleep } from 'node:timers/promises';
import { defineService, method, Type } from '@junction/core';

/** A 16:9 frame of about `megapixels` million pixels. */
export function frameSize(megapixels: number): { width: number; height: number } {
  const width = Math.max(16, Math.round(Math.sqrt((megapixels * 1e6 * 16) / 9)));
  return { width, height: Math.max(9, Math.round((width * 9) / 16)) };
}

/** A 32-bit integer hash of a lattice point: the source of the value noise. */
function hash(x: number, y: number, seed: number): number {
  let h = Math.imul(x, 0x27d4eb2d) ^ Math.imul(y, 0x165667b1) ^ Math.imul(seed, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Smoothly interpolated value noise at (x, y), in [0, 1). */
function noise(x: number, y: number, seed: number): number {
  const xi = Math.floor(x);
  const yi = Math.floor(y);
  const fx = x - xi;
  const fy = y - yi;
  const sx = fx * fx * (3 - 2 * fx);
  const sy = fy * fy * (3 - 2 * fy);
  const v00 = hash(xi, yi, seed) / 4294967296;
  const v10 = hash(xi + 1, yi, seed) / 4294967296;
  const v01 = hash(xi, yi + 1, seed) / 4294967296;
  const v11 = hash(xi + 1, yi + 1, seed) / 4294967296;
  const top = v00 + (v10 - v00) * sx;
  const bottom = v01 + (v11 - v01) * sx;
  return top + (bottom - top) * sy;
}

export interface RenderedFrame {
  width: number;
  height: number;
  /** FNV-1a over the frame's RGB bytes, as 8 hex digits. */
  checksum: string;
  meanLuminance: number;
}

/**
 * Renders a procedural frame (three octaves of value noise, tinted) and checksums it: genuinely
 * CPU-bound (roughly 50 ms a megapixel on one core) and deterministic for a seed.
 */
export function renderFrame(megapixels: number, seed: number): RenderedFrame {
  const { width, height } = frameSize(megapixels);
  let checksum = 0x811c9dc5;
  let luminance = 0;
  const scale = 64 / width;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const n = 0.5 * noise(x * scale, y * scale, seed) + 0.3 * noise(x * scale * 2, y * scale * 2, seed + 1) + 0.2 * noise(x * scale * 4, y * scale * 4, seed + 2);
      const r = (n * 255) | 0;
      const g = (n * n * 255) | 0;
      const b = ((1 - n) * 200) | 0;
      checksum = Math.imul(checksum ^ r, 0x01000193);
      checksum = Math.imul(checksum ^ g, 0x01000193);
      checksum = Math.imul(checksum ^ b, 0x01000193);
      luminance += 0.2126 * r + 0.7152 * g + 0.0722 * b;
    }
  }
  return { width, height, checksum: (checksum >>> 0).toString(16).padStart(8, '0'), meanLuminance: Math.round((luminance / (width * height)) * 100) / 100 };
}

const Frame = Type.Object({
  width: Type.Integer(),
  height: Type.Integer(),
  checksum: Type.String({ pattern: '^[0-9a-f]{8}$', description: 'FNV-1a of the RGB bytes.' }),
  meanLuminance: Type.Number({ description: 'Rec. 709 luma, 0-255.' }),
});

/**
 * Two methods that need different concurrency: `thumbnail` keeps a core busy (run it on
 * `threads`, or `processes`), `probe` mostly waits (the event loop, `inline`, serves thousands at
 * once). config/local.yaml runs this service on `threads`.
 */
export const service = defineService({
  name: 'render',
  version: '1.0.0',
  description: 'Renders procedural frames (CPU-bound) and probes frames in storage (I/O-bound): the example for choosing a concurrency module.',
  methods: {
    thumbnail: method({
      description: 'Renders a procedural 16:9 frame of about `megapixels` million pixels from `seed` and returns its size, checksum and mean luminance. CPU-bound: roughly 50 ms a megapixel on one core.',
      idempotent: true,
      safe: true,
      params: {
        megapixels: Type.Number({ exclusiveMinimum: 0, maximum: 100, description: 'Frame size in millions of pixels.' }),
        seed: Type.Integer({ default: 1, description: 'The same seed renders the same frame.' }),
      },
      result: Frame,
      examples: [{ title: 'A small frame', args: { megapixels: 0.01, seed: 7 } }],
      handler: ({ megapixels, seed }) => renderFrame(megapixels, seed ?? 1),
    }),
    probe: method({
      description: "Stands in for reading a frame's metadata from storage: waits `ms` milliseconds without using the CPU, then answers.",
      idempotent: true,
      safe: true,
      params: { ms: Type.Integer({ minimum: 0, maximum: 60_000, default: 5, description: 'How long the storage takes to answer.' }) },
      result: Type.Object({ waitedMs: Type.Integer() }),
      examples: [{ args: { ms: 5 }, result: { waitedMs: 5 } }],
      handler: async ({ ms }, ctx) => {
        await sleep(ms ?? 5, undefined, { signal: ctx.signal });
        return { waitedMs: ms ?? 5 };
      },
    }),
  },
});
