import { estimatePi } from './pi.worker.mjs';

describe('estimatePi', () => {
  it('is close to pi, and the same for the same seed', () => {
    const first = estimatePi({ samples: 200_000, seed: 42 });
    expect(first.samples).toBe(200_000);
    expect(Math.abs(first.estimate - Math.PI)).toBeLessThan(0.02);
    expect(estimatePi({ samples: 200_000, seed: 42 })).toEqual(first);
    expect(estimatePi({ samples: 200_000, seed: 7 }).estimate).not.toBe(first.estimate);
  });
});
