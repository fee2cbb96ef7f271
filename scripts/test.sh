#!/usr/bin/env bash
# Every test of losskit, from a fresh machine: toolchain setup (idempotent, seconds when
# ready), the wasm + npm build, Rust tests (native: SIMD kernels and their scalar twins,
# PyTorch parity, gradient checks, accuracy), the TypeScript type check, and vitest on the
# built package (PyTorch parity, errors and leaks, tensors, packaging).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
bash scripts/setup.sh
node scripts/build.mjs
cargo test --workspace
npx tsc --noEmit -p tsconfig.json
npx tsc -p test/types   # the published .d.ts: overloads, options, @ts-expect-error misuse
npx vitest run
