#!/usr/bin/env bash
# Bring a machine to a working losskit build: Rust with a wasm32 std, wasm-bindgen-cli
# pinned to the crate's exact version, and the npm dependencies (rollup, vitest, binaryen's
# wasm-opt, ...). Idempotent: every step checks first, so a ready machine passes in seconds.
#
# Two worlds for the wasm32 std:
#   1. rustup can download the target (an ordinary laptop): `rustup target add` and done.
#   2. rustup's server is unreachable (these CI machines): Debian's rustc-web toolchain ships
#      Rust's library sources with their dependencies vendored, so we build std for wasm32
#      once with -Z build-std (RUSTC_BOOTSTRAP, ~30 s) and install the rlibs into Debian's
#      sysroot; `rustup toolchain link system /usr` then makes `cargo +system` see it.
# The chosen toolchain is recorded in .toolchain/env, which scripts/build.mjs reads.
# LOSSKIT_DEBIAN_STD=1 skips rustup's target and takes route 2 (to test it where rustup works).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WASM_TARGET=wasm32-unknown-unknown
# Must equal the `=` pin of wasm-bindgen in crates/losskit-wasm/Cargo.toml.
WASM_BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = { version = "=\([0-9.]*\)".*/\1/p' crates/losskit-wasm/Cargo.toml)
mkdir -p .toolchain
log() { printf '[setup] %s\n' "$*"; }
export PATH="$HOME/.cargo/bin:$PATH"

need_root() { if [ "$(id -u)" != 0 ]; then echo "sudo"; fi; }

# --- Rust itself (rustup), for the native build and tests -------------------------------
if ! command -v cargo >/dev/null 2>&1; then
  log "installing rustup (stable)"
  curl -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
fi

# --- wasm32 std --------------------------------------------------------------------------
has_rustup_target() { rustup target list --installed 2>/dev/null | grep -qx "$WASM_TARGET"; }
system_has_wasm_std() {
  [ -x /usr/bin/rustc ] && ls "$(/usr/bin/rustc --print sysroot)/lib/rustlib/$WASM_TARGET/lib/"libstd-*.rlib >/dev/null 2>&1
}

FORCE_DEBIAN=${LOSSKIT_DEBIAN_STD:-0}
if [ "$FORCE_DEBIAN" != 1 ] && has_rustup_target; then
  echo "RUST_WASM_TOOLCHAIN=" > .toolchain/env
elif system_has_wasm_std && rustup toolchain list 2>/dev/null | grep -q '^system'; then
  echo "RUST_WASM_TOOLCHAIN=system" > .toolchain/env
else
  [ "$FORCE_DEBIAN" = 1 ] || log "trying rustup target add $WASM_TARGET (60 s limit)"
  if [ "$FORCE_DEBIAN" != 1 ] && timeout 60 rustup target add "$WASM_TARGET" >/dev/null 2>&1 && has_rustup_target; then
    echo "RUST_WASM_TOOLCHAIN=" > .toolchain/env
  else
    log "rustup cannot download the target; building std for wasm32 from Debian's rust-web sources"
    if ! dpkg -s rustc-web cargo-web rust-web-src lld-22 >/dev/null 2>&1; then
      $(need_root) apt-get update -qq
      DEBIAN_FRONTEND=noninteractive $(need_root) apt-get install -y -qq \
        rustc-web cargo-web rust-web-src rust-web-llvm lld-22 >/dev/null
    fi
    if ! system_has_wasm_std; then
      scratch=$(mktemp -d)
      mkdir -p "$scratch/src" "$scratch/.cargo"
      cat > "$scratch/Cargo.toml" <<'EOF'
[package]
name = "wasm-std-scratch"
version = "0.0.0"
edition = "2021"
[lib]
crate-type = ["cdylib"]
[profile.release]
panic = "abort"
EOF
      echo '' > "$scratch/src/lib.rs"
      cat > "$scratch/.cargo/config.toml" <<'EOF'
[source.crates-io]
replace-with = "vendored"
[source.vendored]
directory = "/usr/lib/rustlib/src/rust/library/vendor"
EOF
      (cd "$scratch" && RUSTC_BOOTSTRAP=1 RUSTC=/usr/bin/rustc /usr/bin/cargo build -q --release \
        --target "$WASM_TARGET" -Z build-std=std,panic_abort)
      dest="$(/usr/bin/rustc --print sysroot)/lib/rustlib/$WASM_TARGET/lib"
      $(need_root) mkdir -p "$dest"
      find "$scratch/target/$WASM_TARGET/release/deps" -name '*.rlib' ! -name 'libwasm_std_scratch*' \
        -exec $(need_root) cp {} "$dest/" \;
      rm -rf "$scratch"
    fi
    rustup toolchain list | grep -q '^system' || rustup toolchain link system /usr
    echo "RUST_WASM_TOOLCHAIN=system" > .toolchain/env
  fi
fi
log "wasm32 toolchain: $(cat .toolchain/env)"

# --- wasm-bindgen-cli, exactly the crate's version ----------------------------------------
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (compiles from crates.io, a few minutes)"
  # --locked first (reproducible); the registry mirror here lacks one crate of that lockfile
  # (webpki-roots 1.0.11), so fall back to fresh resolution of the same CLI version.
  cargo install -q wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --locked 2>/dev/null \
    || cargo install -q wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

# --- Chromium for the real-browser test (Debian's package; skipped where apt is absent) --------
if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null 2>&1; then
  log "installing Debian's chromium for the browser test"
  $(need_root) apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $(need_root) apt-get install -y -qq chromium >/dev/null
fi

# --- npm dependencies (rollup, typescript, vitest, binaryen's wasm-opt, bench anchors) ----
stamp=node_modules/.losskit-lock-stamp
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  log "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi
log "ready"
