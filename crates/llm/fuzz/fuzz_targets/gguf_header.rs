//! GGUF model files, as downloaded from the internet: whatever the bytes, reading them as
//! opening a model does (header, metadata, tensor table, where each tensor's data lies, the
//! model's settings and vocabulary) ends in success or an error naming the file, never a
//! panic or an allocation the bytes cannot justify.
//!
//! The seeds are tiny llama, phi3 and qwen2 models from `cadence_llm::synthetic`, a file
//! holding every metadata value type and several tensor types, and broken files: truncated,
//! wrong magic, not a GGUF, counts, lengths, offsets and shapes past the file's end, and
//! unknown types. `tests/gguf_fuzz_seeds.rs` reads every one of them; an input that crashes
//! the target joins them, and that test's list, with the fix.

#![no_main]

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::Path;

use libfuzzer_sys::fuzz_target;

/// No input the fuzzer makes (a few hundred kilobytes at most) justifies one allocation this
/// large. libFuzzer's -malloc_limit_mb needs a sanitizer's allocator hooks, which a stable
/// build has none of, so the target enforces the limit itself.
const MAX_ALLOCATION: usize = 64 << 20;

struct Limited;

// SAFETY: every call is passed on to the system allocator unchanged; only the size is checked.
unsafe impl GlobalAlloc for Limited {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        check(layout.size());
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        check(layout.size());
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        check(new_size);
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

/// Aborts, which libFuzzer reports as a crash with the input; a panic here could not unwind
/// out of the allocator.
fn check(size: usize) {
    if size > MAX_ALLOCATION {
        // Formatting would allocate: the message is written as it stands.
        let message = b"gguf_header: an allocation over the 64 MiB limit\n";
        let _ = std::io::Write::write_all(&mut std::io::stderr(), message);
        std::process::abort();
    }
}

#[global_allocator]
static ALLOCATOR: Limited = Limited;

fuzz_target!(|bytes: &[u8]| {
    let path = Path::new("fuzzed.gguf");
    if let Err(error) = cadence_llm::gguf::check_model_bytes(path, bytes) {
        let message = error.to_string();
        assert!(
            message.contains("fuzzed.gguf"),
            "the error does not name the file: {message}"
        );
    }
});
