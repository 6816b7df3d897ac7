//! A bounds-checked GGUF reader over a memory-mapped file.
//!
//! candle's reader trusts lengths in the header and allocates before checking them, so a
//! mangled file can abort the process; this one checks every length against the bytes that
//! are really there and reports what is wrong instead.

mod header;

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::error::{LlmError, Result};

pub use header::parse;

/// The storage type of a tensor: every type ggml defines, whether Cadence runs it or not, so
/// that the data of each tensor can be checked to be in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TensorType {
    F32,
    F16,
    Q4_0,
    Q4_1,
    Q5_0,
    Q5_1,
    Q8_0,
    Q8_1,
    Q2K,
    Q3K,
    Q4K,
    Q5K,
    Q6K,
    Q8K,
    Iq2Xxs,
    Iq2Xs,
    Iq3Xxs,
    Iq1S,
    Iq4Nl,
    Iq3S,
    Iq2S,
    Iq4Xs,
    I8,
    I16,
    I32,
    I64,
    F64,
    Iq1M,
    Bf16,
    Tq1_0,
    Tq2_0,
    Mxfp4,
}

/// ggml's number, name, elements per block and bytes per block of each type, in the order of
/// [`TensorType`]'s variants.
const TENSOR_TYPES: [(TensorType, u32, &str, usize, usize); 32] = [
    (TensorType::F32, 0, "F32", 1, 4),
    (TensorType::F16, 1, "F16", 1, 2),
    (TensorType::Q4_0, 2, "Q4_0", 32, 18),
    (TensorType::Q4_1, 3, "Q4_1", 32, 20),
    (TensorType::Q5_0, 6, "Q5_0", 32, 22),
    (TensorType::Q5_1, 7, "Q5_1", 32, 24),
    (TensorType::Q8_0, 8, "Q8_0", 32, 34),
    (TensorType::Q8_1, 9, "Q8_1", 32, 36),
    (TensorType::Q2K, 10, "Q2_K", 256, 84),
    (TensorType::Q3K, 11, "Q3_K", 256, 110),
    (TensorType::Q4K, 12, "Q4_K", 256, 144),
    (TensorType::Q5K, 13, "Q5_K", 256, 176),
    (TensorType::Q6K, 14, "Q6_K", 256, 210),
    (TensorType::Q8K, 15, "Q8_K", 256, 292),
    (TensorType::Iq2Xxs, 16, "IQ2_XXS", 256, 66),
    (TensorType::Iq2Xs, 17, "IQ2_XS", 256, 74),
    (TensorType::Iq3Xxs, 18, "IQ3_XXS", 256, 98),
    (TensorType::Iq1S, 19, "IQ1_S", 256, 50),
    (TensorType::Iq4Nl, 20, "IQ4_NL", 32, 18),
    (TensorType::Iq3S, 21, "IQ3_S", 256, 110),
    (TensorType::Iq2S, 22, "IQ2_S", 256, 82),
    (TensorType::Iq4Xs, 23, "IQ4_XS", 256, 136),
    (TensorType::I8, 24, "I8", 1, 1),
    (TensorType::I16, 25, "I16", 1, 2),
    (TensorType::I32, 26, "I32", 1, 4),
    (TensorType::I64, 27, "I64", 1, 8),
    (TensorType::F64, 28, "F64", 1, 8),
    (TensorType::Iq1M, 29, "IQ1_M", 256, 56),
    (TensorType::Bf16, 30, "BF16", 1, 2),
    (TensorType::Tq1_0, 34, "TQ1_0", 256, 54),
    (TensorType::Tq2_0, 35, "TQ2_0", 256, 66),
    (TensorType::Mxfp4, 39, "MXFP4", 32, 17),
];

impl TensorType {
    /// The type ggml numbers `id`, or `None` for a number ggml does not define (or no longer
    /// does): the size of such a tensor's data is unknown, so the file cannot be checked.
    pub fn from_id(id: u32) -> Option<Self> {
        TENSOR_TYPES
            .iter()
            .find(|entry| entry.1 == id)
            .map(|entry| entry.0)
    }

    fn entry(self) -> &'static (TensorType, u32, &'static str, usize, usize) {
        &TENSOR_TYPES[self as usize]
    }

    /// Elements per block and bytes per block.
    pub fn block_layout(self) -> (usize, usize) {
        let entry = self.entry();
        (entry.3, entry.4)
    }

    pub fn name(self) -> String {
        self.entry().2.to_string()
    }
}

/// A metadata value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    U8(u8),
    I8(i8),
    U16(u16),
    I16(i16),
    U32(u32),
    I32(i32),
    U64(u64),
    I64(i64),
    F32(f32),
    F64(f64),
    Bool(bool),
    String(String),
    Array(Vec<Value>),
}

impl Value {
    pub fn as_u64(&self) -> Option<u64> {
        match *self {
            Value::U8(v) => Some(v.into()),
            Value::U16(v) => Some(v.into()),
            Value::U32(v) => Some(v.into()),
            Value::U64(v) => Some(v),
            Value::I8(v) => u64::try_from(v).ok(),
            Value::I16(v) => u64::try_from(v).ok(),
            Value::I32(v) => u64::try_from(v).ok(),
            Value::I64(v) => u64::try_from(v).ok(),
            Value::Bool(v) => Some(v.into()),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            Value::F32(v) => Some(v.into()),
            Value::F64(v) => Some(v),
            _ => self.as_u64().map(|v| v as f64),
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match *self {
            Value::Bool(v) => Some(v),
            _ => self.as_u64().map(|v| v != 0),
        }
    }

    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(values) => Some(values),
            _ => None,
        }
    }
}

/// Where one tensor lives in the file.
#[derive(Debug, Clone)]
pub struct TensorInfo {
    pub name: String,
    /// Dimensions in ggml order: `dims[0]` is the innermost (contiguous) one.
    pub dims: Vec<usize>,
    pub tensor_type: TensorType,
    /// Absolute byte offset of the data in the file.
    pub offset: usize,
    pub byte_len: usize,
}

impl TensorInfo {
    pub fn element_count(&self) -> usize {
        self.dims.iter().product()
    }
}

/// An opened GGUF: the mapping plus its parsed header.
pub struct GgufFile {
    path: PathBuf,
    map: Arc<memmap2::Mmap>,
    pub version: u32,
    pub metadata: HashMap<String, Value>,
    pub tensors: Vec<TensorInfo>,
    tensor_index: HashMap<String, usize>,
}

impl std::fmt::Debug for GgufFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GgufFile")
            .field("path", &self.path)
            .field("version", &self.version)
            .field("metadata_keys", &self.metadata.len())
            .field("tensors", &self.tensors.len())
            .finish()
    }
}

impl GgufFile {
    /// Maps `path` and parses its header. The tensor data is not touched.
    pub fn open(path: &Path) -> Result<Self> {
        let file = File::open(path).map_err(|source| LlmError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        // SAFETY: the mapping is read-only; Cadence never writes model files while they are
        // loaded, and the slices handed out never outlive the `Arc` that owns the mapping.
        let map = unsafe { memmap2::Mmap::map(&file) }.map_err(|source| LlmError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_mapping(path, map)
    }

    /// `bytes` read as the file `path` would be, from a copy in anonymous memory: what
    /// [`open`](Self::open) checks, without a file.
    fn from_bytes(path: &Path, bytes: &[u8]) -> Result<Self> {
        let open_error = |source| LlmError::Open {
            path: path.to_path_buf(),
            source,
        };
        let mut map = memmap2::MmapOptions::new()
            .len(bytes.len())
            .map_anon()
            .map_err(open_error)?;
        map.copy_from_slice(bytes);
        Self::from_mapping(path, map.make_read_only().map_err(open_error)?)
    }

    /// Parses the header of the mapped file `path` and checks that every tensor's data lies
    /// within it.
    fn from_mapping(path: &Path, map: memmap2::Mmap) -> Result<Self> {
        let (version, metadata, tensors) =
            parse(&map).map_err(|problem| LlmError::corrupt(path, problem))?;
        let tensor_index = tensors
            .iter()
            .enumerate()
            .map(|(i, t)| (t.name.clone(), i))
            .collect();
        Ok(Self {
            path: path.to_path_buf(),
            map: Arc::new(map),
            version,
            metadata,
            tensors,
            tensor_index,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn mapping(&self) -> &Arc<memmap2::Mmap> {
        &self.map
    }

    pub fn file_size(&self) -> usize {
        self.map.len()
    }

    pub fn tensor(&self, name: &str) -> Option<&TensorInfo> {
        self.tensor_index.get(name).map(|&i| &self.tensors[i])
    }

    pub fn tensor_bytes(&self, info: &TensorInfo) -> &[u8] {
        &self.map[info.offset..info.offset + info.byte_len]
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.metadata.get(key)
    }

    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Value::as_str)
    }

    pub fn get_u64(&self, key: &str) -> Option<u64> {
        self.get(key).and_then(Value::as_u64)
    }

    pub fn get_f64(&self, key: &str) -> Option<f64> {
        self.get(key).and_then(Value::as_f64)
    }
}

/// Reads `bytes` as loading a model reads its file before any weights: the header, the
/// tensor table and where each tensor's data lies, the model's settings and its vocabulary.
/// A corrupt file is an error naming `path`, never a panic or an allocation the file cannot
/// justify. The fuzz target and the corrupt-file tests feed it arbitrary bytes.
pub fn check_model_bytes(path: &Path, bytes: &[u8]) -> Result<()> {
    let file = GgufFile::from_bytes(path, bytes)?;
    for tensor in &file.tensors {
        std::hint::black_box(file.tensor_bytes(tensor));
    }
    crate::ModelConfig::from_gguf(&file)?;
    crate::TextTokenizer::load(&file, None)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Architecture;
    use crate::synthetic::SyntheticModel;
    use proptest::prelude::*;

    fn tiny_model_bytes() -> &'static [u8] {
        static BYTES: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
        BYTES.get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("tiny.gguf");
            SyntheticModel::tiny(Architecture::Qwen2)
                .write(&path)
                .unwrap();
            std::fs::read(path).unwrap()
        })
    }

    /// Bytes before the tensor data: the metadata and the tensor table.
    fn header_len() -> usize {
        let (_, _, tensors) = parse(tiny_model_bytes()).unwrap();
        tensors.iter().map(|t| t.offset).min().unwrap()
    }

    fn header(version: u32, tensors: u64, kvs: u64) -> Vec<u8> {
        let mut b = b"GGUF".to_vec();
        b.extend_from_slice(&version.to_le_bytes());
        b.extend_from_slice(&tensors.to_le_bytes());
        b.extend_from_slice(&kvs.to_le_bytes());
        b
    }

    #[test]
    fn reports_what_is_wrong() {
        let err = |bytes: &[u8]| parse(bytes).unwrap_err();
        assert!(err(b"GG").contains("shorter"));
        assert!(err(b"GGML\x03\0\0\0").contains("magic"));
        assert!(err(&header(1, 0, 0)).contains("version 1"));
        assert!(err(&header(3, u64::MAX, 0)).contains("more than the file can hold"));
        let mut huge_string = header(3, 0, 1);
        huge_string.extend_from_slice(&u64::MAX.to_le_bytes());
        huge_string.extend_from_slice(b"general.name");
        assert!(err(&huge_string).contains("past the end"));
        let bytes = tiny_model_bytes();
        assert!(err(&bytes[..bytes.len() - 100]).contains("truncated"));
        assert!(parse(bytes).is_ok());
    }

    /// Where the value of metadata `key` starts in `bytes`: after the key and its type.
    fn value_at(bytes: &[u8], key: &str) -> usize {
        let mut needle = (key.len() as u64).to_le_bytes().to_vec();
        needle.extend_from_slice(key.as_bytes());
        let at = bytes
            .windows(needle.len())
            .position(|w| w == needle)
            .unwrap();
        at + needle.len() + 4
    }

    #[test]
    fn counts_are_weighed_by_the_bytes_each_element_needs() {
        // 64 `u64` elements need 512 bytes; the file has 100 after the count.
        let mut array = header(3, 0, 1);
        array.extend_from_slice(&5u64.to_le_bytes());
        array.extend_from_slice(b"array");
        array.extend_from_slice(&9u32.to_le_bytes());
        array.extend_from_slice(&10u32.to_le_bytes());
        array.extend_from_slice(&64u64.to_le_bytes());
        array.extend_from_slice(&[0; 100]);
        let problem = parse(&array).unwrap_err();
        assert!(
            problem.contains("an array of 64 elements runs past the end"),
            "{problem}"
        );

        // An array of a type GGUF does not define is refused before its elements.
        let element_type = array.len() - 100 - 12;
        array[element_type..element_type + 4].copy_from_slice(&77u32.to_le_bytes());
        let problem = parse(&array).unwrap_err();
        assert!(
            problem.contains("unknown metadata value type 77"),
            "{problem}"
        );

        // 1000 metadata entries cannot fit in 1000 bytes.
        let mut entries = header(3, 0, 1000);
        entries.extend_from_slice(&[0; 1000]);
        let problem = parse(&entries).unwrap_err();
        assert!(problem.contains("more than the file can hold"), "{problem}");
    }

    #[test]
    fn the_header_stays_within_its_memory_budget() {
        let bytes = tiny_model_bytes();
        let problem = header::parse_within(bytes, 4096).unwrap_err();
        assert!(
            problem.contains("would take more than the 4096 bytes of memory"),
            "{problem}"
        );
        assert!(header::parse_within(bytes, 1 << 20).is_ok());
    }

    #[test]
    fn repeated_names_misplaced_data_and_unknown_types_are_refused() {
        let bytes = tiny_model_bytes();
        let (_, _, tensors) = parse(bytes).unwrap();
        let rename = |from: &str, to: &str| {
            let at = bytes
                .windows(from.len())
                .position(|w| w == from.as_bytes())
                .unwrap();
            let mut renamed = bytes.to_vec();
            renamed[at..at + to.len()].copy_from_slice(to.as_bytes());
            parse(&renamed).unwrap_err()
        };
        let problem = rename("tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id");
        assert!(
            problem.contains("`tokenizer.ggml.eos_token_id` appears twice"),
            "{problem}"
        );
        let problem = rename("blk.1.attn_norm", "blk.0.attn_norm");
        assert!(
            problem.contains("`blk.0.attn_norm.weight` appears twice"),
            "{problem}"
        );

        // The first tensor's record ends with its type and its offset from the data start.
        let name = tensors[0].name.as_bytes();
        let record = bytes.windows(name.len()).position(|w| w == name).unwrap() + name.len();
        let type_at = record + 4 + 8 * tensors[0].dims.len();
        let mut misaligned = bytes.to_vec();
        misaligned[type_at + 4..type_at + 12].copy_from_slice(&8u64.to_le_bytes());
        let problem = parse(&misaligned).unwrap_err();
        assert!(
            problem.contains("not a multiple of the file's alignment 32"),
            "{problem}"
        );
        let mut unknown = bytes.to_vec();
        unknown[type_at..type_at + 4].copy_from_slice(&4u32.to_le_bytes());
        let problem = parse(&unknown).unwrap_err();
        assert!(
            problem.contains("the type number 4, which ggml does not define"),
            "{problem}"
        );
    }

    #[test]
    fn every_tensor_type_has_its_row_in_ggml_order() {
        for (index, entry) in TENSOR_TYPES.iter().enumerate() {
            assert_eq!(entry.0 as usize, index, "{}", entry.2);
            assert_eq!(TensorType::from_id(entry.1), Some(entry.0));
        }
        for removed in [4, 5, 31, 32, 33, 36, 37, 38, 40, u32::MAX] {
            assert_eq!(TensorType::from_id(removed), None);
        }
        assert_eq!(TensorType::Q4K.block_layout(), (256, 144));
        assert_eq!(TensorType::Iq4Xs.name(), "IQ4_XS");
    }

    #[test]
    fn shapes_must_agree_with_the_tensors_in_the_file() {
        let bytes = tiny_model_bytes();
        let check = |key: &str, value: u32| {
            let mut mangled = bytes.to_vec();
            let at = value_at(bytes, key);
            mangled[at..at + 4].copy_from_slice(&value.to_le_bytes());
            check_model_bytes(Path::new("mangled.gguf"), &mangled)
                .unwrap_err()
                .to_string()
        };
        // Each would have the loader allocate for sixteen million layers or a wider model.
        let problem = check("qwen2.block_count", 16_000_000);
        assert!(
            problem.contains("mangled.gguf")
                && problem.contains(
                    "16000000 layers but tensor `blk.15999999.attn_norm.weight` is missing"
                ),
            "{problem}"
        );
        let problem = check("qwen2.embedding_length", 4096);
        assert!(
            problem.contains(
                "`token_embd.weight` is 256 wide but metadata `qwen2.embedding_length` says 4096"
            ),
            "{problem}"
        );
        assert!(check_model_bytes(Path::new("tiny.gguf"), bytes).is_ok());
    }

    #[test]
    fn unsupported_architecture_and_corrupt_files_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let bytes = tiny_model_bytes();
        let at = bytes.windows(5).position(|w| w == b"qwen2").unwrap();
        let mut renamed = bytes.to_vec();
        renamed[at..at + 5].copy_from_slice(b"gemma");
        let path = dir.path().join("gemma.gguf");
        std::fs::write(&path, &renamed).unwrap();
        let err = crate::Model::load(&path, &Default::default()).unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains("gemma.gguf") && message.contains("`gemma`"),
            "{message}"
        );

        let path = dir.path().join("cut.gguf");
        std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
        let message = crate::Engine::load(&path, &Default::default())
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("cut.gguf") && message.contains("download it again"),
            "{message}"
        );

        let missing = dir.path().join("absent.gguf");
        let message = crate::Engine::load(&missing, &Default::default())
            .unwrap_err()
            .to_string();
        assert!(message.contains("absent.gguf"), "{message}");
    }

    /// Loading every mangled variant must end in Ok or a clear error, never a panic.
    fn load_mangled(bytes: &[u8]) {
        if parse(bytes).is_err() {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mangled.gguf");
        std::fs::write(&path, bytes).unwrap();
        let options = crate::LoadOptions {
            device: crate::DeviceChoice::Cpu,
            context_length: Some(32),
            threads: Some(1),
            ..Default::default()
        };
        if let Ok(mut engine) = crate::Engine::load(&path, &options) {
            let _ = engine
                .model_mut()
                .forward(&[1, 2, 3], crate::LogitsMode::Last);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 96, .. ProptestConfig::default() })]

        #[test]
        fn truncated_files_never_panic(cut in 0usize..4096) {
            let bytes = tiny_model_bytes();
            load_mangled(&bytes[..cut.min(bytes.len())]);
        }

        #[test]
        fn mangled_headers_never_panic(edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8), tail in any::<bool>()) {
            let mut bytes = tiny_model_bytes().to_vec();
            let len = header_len();
            for (at, value) in edits {
                // Half the cases hit the tensor table at the end of the header.
                let at = if tail { len - 1 - at % 1024.min(len) } else { at % len };
                bytes[at] = value;
            }
            load_mangled(&bytes);
        }

        #[test]
        fn mangled_lengths_never_panic(at in any::<usize>(), value in prop_oneof![Just(u64::MAX), Just(1u64 << 40), Just(0u64), Just(1u64), any::<u64>()]) {
            let mut bytes = tiny_model_bytes().to_vec();
            let at = at % (header_len() - 8);
            bytes[at..at + 8].copy_from_slice(&value.to_le_bytes());
            load_mangled(&bytes);
        }
    }
}
