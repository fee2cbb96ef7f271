#!/usr/bin/env bash
# Fuzzes every entry point of losskit-core for a fixed budget (not part of `npm test`):
#   1. the stable-Rust driver (crates/losskit-core/tests/fuzz.rs, release build): seeded random
#      shapes, data lengths, class indices, options and output slots through the shared
#      harness; asserts no panic other than a returned error and no write out of bounds;
#   2. where nightly Rust and cargo-fuzz are installed, the libFuzzer target of the same
#      harness (fuzz/, AddressSanitizer: reads out of bounds too), for the same budget.
# Usage: scripts/fuzz.sh [seconds=120] [seed]     A failure prints the case seed; replay it with
#   LOSSKIT_FUZZ_REPLAY=0x… cargo test -p losskit-core --test fuzz fuzz_replay -- --ignored --nocapture
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
SECONDS_BUDGET=${1:-120}
SEED=${2:-$RANDOM$RANDOM}
echo "[fuzz] stable driver: ${SECONDS_BUDGET} s, seed ${SEED} (optimized, with overflow checks and debug assertions)"
# Optimized for speed, but arithmetic overflow still panics: it is a finding, as in a debug build.
CARGO_PROFILE_RELEASE_OVERFLOW_CHECKS=true CARGO_PROFILE_RELEASE_DEBUG_ASSERTIONS=true \
LOSSKIT_FUZZ_SECONDS=$SECONDS_BUDGET LOSSKIT_FUZZ_SEED=$SEED \
  cargo test -q --release -p losskit-core --test fuzz fuzz_budget -- --ignored --nocapture 2>&1 \
  | grep -v '^$\|running 1 test\|has been running'
if cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "[fuzz] cargo fuzz (libFuzzer + AddressSanitizer): ${SECONDS_BUDGET} s"
  (cd fuzz && cargo +nightly fuzz run entry_points -- -max_total_time="$SECONDS_BUDGET" -seed="$SEED")
else
  echo "[fuzz] cargo-fuzz with nightly Rust not found: the libFuzzer target (fuzz/) was not run"
fi
