//! Linear-memory buffers for the TypeScript layer, and a counting allocator so tests can
//! prove that failing calls leak nothing.

use losskit_core::{Out, Real, Tensor};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use wasm_bindgen::prelude::*;

/// Every buffer starts on a 64-byte cache line (f32, f64 and i32 views need only 8): a
/// vector load then never splits a line. Measured on the same tensors' memory, a target 8
/// bytes past a line cost 0–3 % and all three buffers 8 bytes past one 0–6 % (fwd+grad at 10⁶).
const ALIGN: usize = 64;

/// The system allocator, counting live bytes: only allocations that succeed are counted
/// (a failed one returns null and changes nothing), so the count stays exact after running
/// out of memory.
struct Counting;
static LIVE_BYTES: AtomicUsize = AtomicUsize::new(0);

// SAFETY: delegates to `System`, only adding bookkeeping.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc(layout);
        if !p.is_null() {
            LIVE_BYTES.fetch_add(layout.size(), Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE_BYTES.fetch_sub(layout.size(), Ordering::Relaxed);
        System.dealloc(ptr, layout)
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc_zeroed(layout);
        if !p.is_null() {
            LIVE_BYTES.fetch_add(layout.size(), Ordering::Relaxed);
        }
        p
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // On failure the old block stays allocated with its old size: nothing changes.
        let p = System.realloc(ptr, layout, new_size);
        if !p.is_null() {
            LIVE_BYTES.fetch_add(new_size, Ordering::Relaxed);
            LIVE_BYTES.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        p
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Bytes currently allocated by this module (buffers, tensors and internal temporaries).
#[wasm_bindgen]
pub fn allocated_bytes() -> usize {
    LIVE_BYTES.load(Ordering::Relaxed)
}

/// Allocates `bytes` zeroed bytes (64-aligned) and returns the address; 0 for 0 bytes or on
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

/// Allocates `bytes` bytes (64-aligned) whose contents are unspecified, for the buffers a
/// call fills entirely (staged inputs, outputs, gradients): no zero-fill to pay for. 0 for
/// 0 bytes or on failure; release with [`dealloc`].
#[wasm_bindgen]
pub fn alloc_scratch(bytes: usize) -> usize {
    if bytes == 0 {
        return 0;
    }
    match Layout::from_size_align(bytes, ALIGN) {
        // SAFETY: the layout has a non-zero size.
        Ok(layout) => unsafe { std::alloc::alloc(layout) as usize },
        Err(_) => 0,
    }
}

/// Frees a buffer from [`alloc`] or [`alloc_scratch`]; `bytes` must be its size.
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

/// Words of [`descriptor_area`]: room for the descriptors of any call whose tensors have
/// 500 dims between them; a call that needs more allocates its own.
const DESCRIPTOR_WORDS: usize = 1024;
static mut DESCRIPTORS: [usize; DESCRIPTOR_WORDS] = [0; DESCRIPTOR_WORDS];

/// The address of a static area where the TypeScript layer writes the tensor descriptors
/// of a call (no allocation per call, and nothing the allocation counter sees).
#[wasm_bindgen]
pub fn descriptor_area() -> usize {
    core::ptr::addr_of!(DESCRIPTORS) as usize
}

/// Capacity of [`descriptor_area`] in words.
#[wasm_bindgen]
pub fn descriptor_words() -> usize {
    DESCRIPTOR_WORDS
}

/// Bytes of [`staging_area`]: a call whose arguments and gradients fit here (the small
/// calls, where a fixed cost per call is what shows) is staged without allocating.
const STAGING_BYTES: usize = 64 * 1024;
/// 8-aligned (u64 words) for f64 data.
static mut STAGING: [u64; STAGING_BYTES / 8] = [0; STAGING_BYTES / 8];

/// The address of a static area where the TypeScript layer stages the arguments and the
/// gradient buffers of a small call (ts/src/small.ts): no allocation, nothing to free, and
/// nothing the allocation counter sees. Calls do not nest, so one area serves them all.
#[wasm_bindgen]
pub fn staging_area() -> usize {
    core::ptr::addr_of!(STAGING) as usize
}

/// Capacity of [`staging_area`] in bytes.
#[wasm_bindgen]
pub fn staging_bytes() -> usize {
    STAGING_BYTES
}

/// A tensor from its descriptor at `desc`: the `usize` words `[data address, rank, d0, …]`
/// written by the TypeScript layer (ts/src/call.ts); `None` for address 0 (an absent
/// optional tensor). A shape whose element count overflows gets empty data, which the
/// core rejects with `SHAPE_MISMATCH`.
///
/// # Safety
/// `desc` is 0 or points to such a descriptor, and its data address to as many initialised,
/// aligned `T`s as the shape has elements, valid and not written elsewhere while the
/// returned tensor lives.
pub(crate) unsafe fn tensor<'a, T>(desc: usize) -> Option<Tensor<'a, T>> {
    if desc == 0 {
        return None;
    }
    let words = desc as *const usize;
    let (ptr, rank) = (*words, *words.add(1));
    let shape = std::slice::from_raw_parts(words.add(2), rank);
    let len = shape.iter().try_fold(1usize, |n, &d| n.checked_mul(d)).unwrap_or(0);
    let data = if ptr == 0 || len == 0 { &[] } else { std::slice::from_raw_parts(ptr as *const T, len) };
    Some(Tensor::new(data, shape))
}

/// A tensor that must be present ([`tensor`] of a descriptor the TypeScript layer always writes).
///
/// # Safety
/// As [`tensor`].
pub(crate) unsafe fn required<'a, T>(desc: usize) -> Tensor<'a, T> {
    tensor(desc).unwrap_or(Tensor::new(&[], &[0]))
}

/// The element count of the tensor described at `desc` (0 for none).
///
/// # Safety
/// As [`tensor`].
pub(crate) unsafe fn len_of(desc: usize) -> usize {
    tensor::<u8>(desc).map_or(0, |t| t.len())
}

/// The output slots of a loss call: `out` describes the unreduced-loss buffer (0 unless
/// the reduction is 'none'), `grad_output` the upstream gradient, and `grads` are
/// (address, length) pairs in the core function's gradient order.
///
/// # Safety
/// Descriptors as in [`tensor`]; gradient addresses are 0 or valid for their lengths;
/// no two slots overlap.
pub(crate) unsafe fn outs<'a, T: Real>(out: usize, grad_output: usize, grads: &[(usize, usize)]) -> Out<'a, T> {
    let mut slots: [Option<&'a mut [T]>; 3] = [None, None, None];
    for (slot, &(ptr, len)) in slots.iter_mut().zip(grads) {
        *slot = (ptr != 0).then(|| std::slice::from_raw_parts_mut(ptr as *mut T, len));
    }
    Out {
        // An empty unreduced output is still an output: its data address is 0.
        loss: tensor::<T>(out).map(|t| {
            if t.is_empty() {
                &mut [][..]
            } else {
                std::slice::from_raw_parts_mut(t.data.as_ptr() as *mut T, t.len())
            }
        }),
        grad_output: tensor(grad_output),
        grads: slots,
    }
}
