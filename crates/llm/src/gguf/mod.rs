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

/// The storage type of a tensor, as numbered by ggml.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TensorType {
    F32,
    F16,
    Bf16,
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
    /// A ggml type this reader knows nothing about (IQ formats and newer).
    Other(u32),
}

impl TensorType {
    fn from_id(id: u32) -> Self {
        match id {
            0 => Self::F32,
            1 => Self::F16,
            2 => Self::Q4_0,
            3 => Self::Q4_1,
            6 => Self::Q5_0,
            7 => Self::Q5_1,
            8 => Self::Q8_0,
            9 => Self::Q8_1,
            10 => Self::Q2K,
            11 => Self::Q3K,
            12 => Self::Q4K,
            13 => Self::Q5K,
            14 => Self::Q6K,
            15 => Self::Q8K,
            30 => Self::Bf16,
            other => Self::Other(other),
        }
    }

    /// Elements per block and bytes per block, or `None` for unknown types.
    pub fn block_layout(self) -> Option<(usize, usize)> {
        Some(match self {
            Self::F32 => (1, 4),
            Self::F16 | Self::Bf16 => (1, 2),
            Self::Q4_0 => (32, 18),
            Self::Q4_1 => (32, 20),
            Self::Q5_0 => (32, 22),
            Self::Q5_1 => (32, 24),
            Self::Q8_0 => (32, 34),
            Self::Q8_1 => (32, 36),
            Self::Q2K => (256, 84),
            Self::Q3K => (256, 110),
            Self::Q4K => (256, 144),
            Self::Q5K => (256, 176),
            Self::Q6K => (256, 210),
            Self::Q8K => (256, 292),
            Self::Other(_) => return None,
        })
    }

    pub fn name(self) -> String {
        match self {
            Self::F32 => "F32".into(),
            Self::F16 => "F16".into(),
            Self::Bf16 => "BF16".into(),
            Self::Q4_0 => "Q4_0".into(),
            Self::Q4_1 => "Q4_1".into(),
            Self::Q5_0 => "Q5_0".into(),
            Self::Q5_1 => "Q5_1".into(),
            Self::Q8_0 => "Q8_0".into(),
            Self::Q8_1 => "Q8_1".into(),
            Self::Q2K => "Q2_K".into(),
            Self::Q3K => "Q3_K".into(),
            Self::Q4K => "Q4_K".into(),
            Self::Q5K => "Q5_K".into(),
            Self::Q6K => "Q6_K".into(),
            Self::Q8K => "Q8_K".into(),
            Self::Other(id) => format!("ggml type {id}"),
        }
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
        assert!(err(&huge_string).contains("past the end"));
        let bytes = tiny_model_bytes();
        assert!(err(&bytes[..bytes.len() - 100]).contains("truncated"));
        assert!(parse(bytes).is_ok());
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
