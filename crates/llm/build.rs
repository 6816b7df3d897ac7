fn main() {
    // One name for the SIMD level the hand-written x86 kernels need; .cargo/config.toml
    // enables it for x86-64.
    println!("cargo::rustc-check-cfg=cfg(x86_avx2)");
    let features = std::env::var("CARGO_CFG_TARGET_FEATURE").unwrap_or_default();
    let enabled = |feature: &str| features.split(',').any(|f| f == feature);
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("x86_64")
        && ["avx2", "fma", "f16c"].into_iter().all(enabled)
    {
        println!("cargo::rustc-cfg=x86_avx2");
    }
}
