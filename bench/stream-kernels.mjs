// Streaming-bandwidth reference kernels in wasm SIMD (assembled at startup with binaryen,
// already a devDependency): `sum` reads a buffer with four f32x4 accumulators (pure read
// stream), `copy` is memory.copy (bulk memmove), `sub` writes g[i] = x[i] - y[i] with v128
// loads/stores (the access pattern of a pointwise loss + gradient with trivial arithmetic),
// `sum2` accumulates x[i] - y[i] over two read streams with four accumulators (a pointwise
// loss value's pattern), `scale` writes g[i] = x[i] + x[i] (one read + one write stream: a
// row loss's logits → gradient). Byte counts: multiples of 64 (sum, sum2) or 32 (sub, scale).
// bench/probe.mjs builds the per-case memory-bound probe from these.
import binaryen from "binaryen";

const WAT = `
(module
  (memory (export "mem") 1 65536)
  (func (export "sum") (param $p i32) (param $bytes i32) (result f32)
    (local $end i32) (local $a v128) (local $b v128) (local $c v128) (local $d v128)
    (local.set $end (i32.add (local.get $p) (local.get $bytes)))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $a (f32x4.add (local.get $a) (v128.load offset=0 (local.get $p))))
        (local.set $b (f32x4.add (local.get $b) (v128.load offset=16 (local.get $p))))
        (local.set $c (f32x4.add (local.get $c) (v128.load offset=32 (local.get $p))))
        (local.set $d (f32x4.add (local.get $d) (v128.load offset=48 (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const 64)))
        (br $l)))
    (local.set $a (f32x4.add (f32x4.add (local.get $a) (local.get $b)) (f32x4.add (local.get $c) (local.get $d))))
    (f32.add (f32.add (f32x4.extract_lane 0 (local.get $a)) (f32x4.extract_lane 1 (local.get $a)))
             (f32.add (f32x4.extract_lane 2 (local.get $a)) (f32x4.extract_lane 3 (local.get $a)))))
  (func (export "copy") (param $dst i32) (param $src i32) (param $bytes i32)
    (memory.copy (local.get $dst) (local.get $src) (local.get $bytes)))
  (func (export "sub") (param $x i32) (param $y i32) (param $g i32) (param $bytes i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $x) (local.get $bytes)))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (v128.store offset=0 (local.get $g) (f32x4.sub (v128.load offset=0 (local.get $x)) (v128.load offset=0 (local.get $y))))
        (v128.store offset=16 (local.get $g) (f32x4.sub (v128.load offset=16 (local.get $x)) (v128.load offset=16 (local.get $y))))
        (local.set $x (i32.add (local.get $x) (i32.const 32)))
        (local.set $y (i32.add (local.get $y) (i32.const 32)))
        (local.set $g (i32.add (local.get $g) (i32.const 32)))
        (br $l))))
  (func (export "sum2") (param $x i32) (param $y i32) (param $bytes i32) (result f32)
    (local $end i32) (local $a v128) (local $b v128) (local $c v128) (local $d v128)
    (local.set $end (i32.add (local.get $x) (local.get $bytes)))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $a (f32x4.add (local.get $a) (f32x4.sub (v128.load offset=0 (local.get $x)) (v128.load offset=0 (local.get $y)))))
        (local.set $b (f32x4.add (local.get $b) (f32x4.sub (v128.load offset=16 (local.get $x)) (v128.load offset=16 (local.get $y)))))
        (local.set $c (f32x4.add (local.get $c) (f32x4.sub (v128.load offset=32 (local.get $x)) (v128.load offset=32 (local.get $y)))))
        (local.set $d (f32x4.add (local.get $d) (f32x4.sub (v128.load offset=48 (local.get $x)) (v128.load offset=48 (local.get $y)))))
        (local.set $x (i32.add (local.get $x) (i32.const 64)))
        (local.set $y (i32.add (local.get $y) (i32.const 64)))
        (br $l)))
    (local.set $a (f32x4.add (f32x4.add (local.get $a) (local.get $b)) (f32x4.add (local.get $c) (local.get $d))))
    (f32.add (f32.add (f32x4.extract_lane 0 (local.get $a)) (f32x4.extract_lane 1 (local.get $a)))
             (f32.add (f32x4.extract_lane 2 (local.get $a)) (f32x4.extract_lane 3 (local.get $a)))))
  (func (export "scale") (param $x i32) (param $g i32) (param $bytes i32)
    (local $end i32) (local $v v128) (local $w v128)
    (local.set $end (i32.add (local.get $x) (local.get $bytes)))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $v (v128.load offset=0 (local.get $x)))
        (local.set $w (v128.load offset=16 (local.get $x)))
        (v128.store offset=0 (local.get $g) (f32x4.add (local.get $v) (local.get $v)))
        (v128.store offset=16 (local.get $g) (f32x4.add (local.get $w) (local.get $w)))
        (local.set $x (i32.add (local.get $x) (i32.const 32)))
        (local.set $g (i32.add (local.get $g) (i32.const 32)))
        (br $l))))
)`;

/** A fresh instance (own memory) of the kernels: exports mem, sum, copy, sub, sum2, scale. */
let compiled;
export function streamKernels() {
  compiled ??= compile();
  return new WebAssembly.Instance(compiled).exports;
}

function compile() {
  const mod = binaryen.parseText(WAT);
  mod.setFeatures(binaryen.Features.SIMD128 | binaryen.Features.BulkMemory | binaryen.Features.BulkMemoryOpt);
  if (!mod.validate()) throw new Error("stream kernels: invalid wasm");
  const bin = mod.emitBinary();
  mod.dispose();
  return new WebAssembly.Module(bin);
}
