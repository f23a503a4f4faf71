import { hostServices } from '@junction/core/testing';
import { fake, frameSize, renderFrame, service } from './index';

describe('render', () => {
  it('sizes frames 16:9 by megapixels', () => {
    expect(frameSize(1)).toEqual({ width: 1333, height: 750 });
    expect(frameSize(0.000001)).toEqual({ width: 16, height: 9 });
  });

  it('renders the same frame for the same seed, another for another seed', () => {
    const a = renderFrame(0.05, 7);
    expect(renderFrame(0.05, 7)).toEqual(a);
    expect(renderFrame(0.05, 8).checksum).not.toBe(a.checksum);
    expect(a.checksum).toMatch(/^[0-9a-f]{8}$/);
    expect(a.meanLuminance).toBeGreaterThan(0);
    expect(a.meanLuminance).toBeLessThan(255);
  });

  it('answers through a provider, with its schema checked', async () => {
    const host = hostServices(service);
    try {
      await expect(host.call('render.thumbnail', { megapixels: 0.01, seed: 3 })).resolves.toEqual(renderFrame(0.01, 3));
      await expect(host.call('render.probe', { ms: 1 })).resolves.toEqual({ waitedMs: 1 });
      await expect(host.call('render.thumbnail', { megapixels: 0 })).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
      await expect(host.call('render.thumbnail', { megapixels: 1000 })).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
    } finally {
      await host.close();
    }
  });

  it('has a fake that answers at once with the right sizes', async () => {
    const host = hostServices(fake);
    try {
      await expect(host.call('render.thumbnail', { megapixels: 1 })).resolves.toMatchObject({ width: 1333, height: 750, checksum: '00000000' });
      await expect(host.call('render.probe', { ms: 50_000 })).resolves.toEqual({ waitedMs: 50_000 });
    } finally {
      await host.close();
    }
  });
});
