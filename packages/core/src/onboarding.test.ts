import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateOnboarding, GPU_BENCHMARK_TFLOPS } from './onboarding.ts';

const hw = (gpus: { model: string; count: number }[]) => ({ gpus, vcpus: 32, ramGb: 256, nvmeTb: 4, bandwidthGbps: 10 });
const host = { vcpus: 32, ramGb: 256, nvmeTb: 4, hostId: 'ab'.repeat(32) };
const good = { linkGbps: '10', nvme: true, tpm: true, ...host };

describe('onboarding gates', () => {
  it('passes a node whose measurements match its declaration, and names every failing gate', () => {
    const declared = hw([
      { model: 'H100', count: 8 },
      { model: 'T4', count: 1 },
    ]);
    const ok = evaluateOnboarding(declared, {
      ...good,
      gpus: [
        { model: 'H100', count: 8, tflops: '940.5' },
        { model: 'T4', count: 1, tflops: '65' },
      ],
    });
    expect(ok).toEqual({ passed: true, gates: { hardware: true, link: true, nvme: true, tpm: true }, reasons: [] });
    const bad = evaluateOnboarding(declared, {
      gpus: [
        { model: 'H100', count: 7, tflops: '300' },
        { model: 'T4', count: 1, tflops: '65' },
      ],
      linkGbps: '0.5',
      nvme: false,
      tpm: false,
      ...host,
    });
    expect(bad.passed).toBe(false);
    expect(bad.gates).toEqual({ hardware: false, link: false, nvme: false, tpm: false });
    expect(bad.reasons).toEqual([
      'hardware: 7 × H100 found, 8 declared',
      'hardware: H100 benchmarks 300 TFLOPS, expected 600–1100',
      'link: 0.5 Gbps, at least 1 needed',
      'nvme: no NVMe SSD found',
      'tpm: no TPM 2.0 found',
    ]);
  });

  it('an undeclared GPU fails the hardware gate; an unlisted model needs only a positive benchmark; the range bounds are inclusive', () => {
    const declared = hw([{ model: 'other', count: 2 }]);
    expect(evaluateOnboarding(declared, { ...good, gpus: [{ model: 'other', count: 2, tflops: '0.001' }] }).passed).toBe(true);
    expect(evaluateOnboarding(declared, { ...good, gpus: [{ model: 'other', count: 2, tflops: '0' }] }).gates.hardware).toBe(false);
    expect(
      evaluateOnboarding(declared, {
        ...good,
        gpus: [
          { model: 'other', count: 2, tflops: '10' },
          { model: 'A10', count: 1, tflops: '120' },
        ],
      }).reasons,
    ).toEqual(['hardware: 1 × A10 found, 0 declared']);
    const t4 = hw([{ model: 'T4', count: 1 }]);
    for (const [tflops, ok] of [
      ['50', true],
      ['72', true],
      ['49.999', false],
      ['72.000000000000000001', false],
    ] as const) {
      expect(evaluateOnboarding(t4, { ...good, gpus: [{ model: 'T4', count: 1, tflops }] }).passed, tflops).toBe(ok);
    }
  });

  it('property: a node passes exactly when every gate does, and a benchmark inside its range never fails the hardware gate', () => {
    const models = Object.keys(GPU_BENCHMARK_TFLOPS);
    fc.assert(
      fc.property(
        fc.constantFrom(...models),
        fc.integer({ min: 1, max: 8 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 0, max: 40 }),
        (model, count, at, nvme, tpm, link10) => {
          const [lo, hi] = GPU_BENCHMARK_TFLOPS[model] as [number, number];
          const tflops = (lo + Math.floor(at * (hi - lo))).toString();
          const r = evaluateOnboarding(hw([{ model, count }]), { gpus: [{ model, count, tflops }], linkGbps: (link10 / 10).toString(), nvme, tpm, ...host });
          expect(r.gates.hardware).toBe(true);
          expect(r.gates.link).toBe(link10 >= 10);
          expect(r.passed).toBe(r.gates.link && nvme && tpm);
          expect(r.reasons.length === 0).toBe(r.passed);
        },
      ),
    );
  });
  it('fails the hardware gate of a node declaring more vCPUs, RAM or NVMe than its host has (SPEC §3.1)', () => {
    const gpus = [{ model: 'H100', count: 8, tflops: '940' }];
    const declared = { ...hw([{ model: 'H100', count: 8 }]), vcpus: 1000, ramGb: 4096, nvmeTb: 100 };
    const r = evaluateOnboarding(declared, { ...good, gpus });
    expect(r.gates.hardware).toBe(false);
    expect(r.reasons).toEqual([
      'hardware: 32 vCPUs found, 1000 declared',
      'hardware: 256 GB of RAM found, 4096 declared',
      'hardware: 4 TB of NVMe found, 100 declared',
    ]);
    // declaring less than the host has (a share of it) passes
    expect(evaluateOnboarding({ ...declared, vcpus: 8, ramGb: 64, nvmeTb: 1 }, { ...good, gpus }).passed).toBe(true);
  });
});
