//! Linear-memory buffers for the TypeScript layer, and a counting allocator so tests can
//! prove that failing calls leak nothing.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use wasm_bindgen::prelude::*;

/// Every buffer is 8-byte aligned, which suits f32, f64 and i32 views.
const ALIGN: usize = 8;

/// The system allocator, counting live bytes.
struct Counting;
static LIVE_BYTES: AtomicUsize = AtomicUsize::new(0);

// SAFETY: delegates to `System`, only adding bookkeeping.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE_BYTES.fetch_add(layout.size(), Ordering::Relaxed);
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE_BYTES.fetch_sub(layout.size(), Ordering::Relaxed);
        System.dealloc(ptr, layout)
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        LIVE_BYTES.fetch_add(layout.size(), Ordering::Relaxed);
        System.alloc_zeroed(layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE_BYTES.fetch_add(new_size, Ordering::Relaxed);
        LIVE_BYTES.fetch_sub(layout.size(), Ordering::Relaxed);
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Bytes currently allocated by this module (buffers, tensors and internal temporaries).
#[wasm_bindgen]
pub fn allocated_bytes() -> usize {
    LIVE_BYTES.load(Ordering::Relaxed)
}

/// Allocates `bytes` zeroed bytes (8-aligned) and returns the address; 0 for 0 bytes or on
/// failure. Release with [`dealloc`] and the same size.
#[wasm_bindgen]
pub fn alloc(bytes: usize) -> usize {
    if bytes == 0 {
        return 0;
    }
    match Layout::from_size_align(bytes, ALIGN) {
        // SAFETY: the layout has a non-zero size.
        Ok(layout) => unsafe { std::alloc::alloc_zeroed(layout) as usize },
        Err(_) => 0,
    }
}

/// Frees a buffer from [`alloc`]; `bytes` must be the size it was allocated with.
#[wasm_bindgen]
pub fn dealloc(ptr: usize, bytes: usize) {
    if ptr == 0 || bytes == 0 {
        return;
    }
    if let Ok(layout) = Layout::from_size_align(bytes, ALIGN) {
        // SAFETY: `ptr` came from `alloc(bytes)` (the TypeScript layer's contract).
        unsafe { std::alloc::dealloc(ptr as *mut u8, layout) }
    }
}

/// A read-only slice at `ptr` (None for a null pointer).
///
/// # Safety
/// `ptr` must be 0 or point to `len` initialised, aligned `T`s that stay valid and are not
/// written through another slice while the returned one lives (TypeScript layer contract:
/// pointers come from [`alloc`] with room for `len` elements).
pub(crate) unsafe fn opt_slice<'a, T>(ptr: usize, len: usize) -> Option<&'a [T]> {
    (ptr != 0).then(|| std::slice::from_raw_parts(ptr as *const T, len))
}

/// A mutable slice at `ptr` (None for a null pointer).
///
/// # Safety
/// As [`opt_slice`], and no other slice may alias it.
pub(crate) unsafe fn opt_slice_mut<'a, T>(ptr: usize, len: usize) -> Option<&'a mut [T]> {
    (ptr != 0).then(|| std::slice::from_raw_parts_mut(ptr as *mut T, len))
}

/// A read-only slice that must be present (an empty slice for a null pointer of length 0).
///
/// # Safety
/// As [`opt_slice`].
pub(crate) unsafe fn slice<'a, T>(ptr: usize, len: usize) -> &'a [T] {
    opt_slice(ptr, len).unwrap_or(&[])
}

/// The output slots of a loss call, from pointers: `out` receives the unreduced loss
/// (`out_len` elements), `grad_output` is read with the same length, and `grads` are
/// (address, length) pairs in the core function's gradient order.
///
/// # Safety
/// Pointers are 0 or valid for their lengths (see [`opt_slice`]), and distinct.
pub(crate) unsafe fn outs<'a, T: losskit_core::Real>(
    out: usize,
    out_len: usize,
    grad_output: usize,
    grads: [(usize, usize); 3],
) -> losskit_core::Out<'a, T> {
    losskit_core::Out {
        // A zero-length buffer has address 0, which elsewhere means "absent": an empty
        // unreduced output is still an output.
        loss: if out_len == 0 { Some(&mut []) } else { opt_slice_mut(out, out_len) },
        grad_output: opt_slice(grad_output, out_len),
        grads: grads.map(|(p, len)| opt_slice_mut(p, len)),
    }
}
