// The memory-bound probe of a case: a wasm SIMD kernel (bench/stream-kernels.mjs) that streams
// the bytes the loss itself must touch — reads input + target (and any other float argument),
// and for fwd+grad writes the input gradient — with trivial arithmetic, in its own wasm memory.
// It runs in the same interleaved rounds as losskit, so `losskit ÷ probe` is a same-run ratio:
// 1.0× would mean the loss costs no more than streaming its operands.
//
// From the instance's `bytes.{loss,grad}` = { read, write } (cases.mjs):
//   write = 0            `sum2` over two read streams of read/2 bytes each (a pointwise loss value)
//   read ≥ 2·write > 0   `sub` g = x − y over write bytes (reads 2·write, writes write: a pointwise
//                        loss + gradient), then `sum` over the remaining reads (e.g. gaussianNll's var)
//   0 < read < 2·write   `scale` g = 2x over write bytes (one read + one write stream: logits →
//                        gradient of a row loss), then `sum` over the remaining reads (class indices)
import { streamKernels } from "./stream-kernels.mjs";

const PAGE = 65536;
const up = (b, m) => Math.max(m, Math.ceil(b / m) * m);
let k = null;
let filled = 0; // bytes of the probe memory already filled with 1.0f

function memory(bytes) {
  k ??= streamKernels();
  const have = k.mem.buffer.byteLength;
  if (bytes > have) k.mem.grow(Math.ceil((bytes - have) / PAGE));
  if (bytes > filled) {
    new Float32Array(k.mem.buffer, filled, (up(bytes, 4) - filled) / 4).fill(1); // touch every page; no denormals
    filled = up(bytes, 4);
  }
  return k;
}

/** { fn, kernels: description, bytes } for a { read, write } byte count. */
export function probeFor({ read, write }) {
  if (!write) {
    const half = up(read / 2, 64);
    const m = memory(2 * half);
    return { fn: () => m.sum2(0, half, half), kernels: `sum2(${half}×2 B)`, bytes: 2 * half };
  }
  const w = up(write, 32);
  if (read >= 2 * write) {
    const rest = read - 2 * write;
    const r = rest > 0 ? up(rest, 64) : 0;
    const m = memory(3 * w + r);
    const fn = r ? () => (m.sub(0, w, 2 * w, w), m.sum(3 * w, r)) : () => m.sub(0, w, 2 * w, w);
    return { fn, kernels: r ? `sub(${w} B) + sum(${r} B)` : `sub(${w} B)`, bytes: 3 * w + r };
  }
  const rest = read - write;
  const r = rest > 0 ? up(rest, 64) : 0;
  const m = memory(2 * w + r);
  const fn = r ? () => (m.scale(0, w, w), m.sum(2 * w, r)) : () => m.scale(0, w, w);
  return { fn, kernels: r ? `scale(${w} B) + sum(${r} B)` : `scale(${w} B)`, bytes: 2 * w + r };
}
