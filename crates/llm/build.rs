fn main() {
    // One name each for the SIMD levels the hand-written kernels need: on x86-64,
    // .cargo/config.toml enables AVX2; every aarch64 target has NEON, and its byte
    // dot-product extensions are detected at run time.
    println!("cargo::rustc-check-cfg=cfg(x86_avx2)");
    println!("cargo::rustc-check-cfg=cfg(aarch64_neon)");
    let features = std::env::var("CARGO_CFG_TARGET_FEATURE").unwrap_or_default();
    let enabled = |feature: &str| features.split(',').any(|f| f == feature);
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    if arch == "x86_64" && ["avx2", "fma", "f16c"].into_iter().all(enabled) {
        println!("cargo::rustc-cfg=x86_avx2");
    }
    if arch == "aarch64" && enabled("neon") {
        println!("cargo::rustc-cfg=aarch64_neon");
    }
}
