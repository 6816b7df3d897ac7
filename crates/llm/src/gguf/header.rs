//! Parsing the GGUF header (metadata and tensor table) from bytes. Every count and length is
//! checked against the bytes that are really there, and against a memory budget, before
//! anything is allocated for it.

use std::collections::{HashMap, HashSet};
use std::mem::size_of;

use super::{TensorInfo, TensorType, Value};

const GGUF_MAGIC: &[u8; 4] = b"GGUF";
const DEFAULT_ALIGNMENT: u64 = 32;
const MAX_ARRAY_NESTING: usize = 4;
const MAX_TENSOR_DIMS: u32 = 4;
/// The most memory the parsed header may take. A real model's is tens of megabytes (a
/// 262,144-token vocabulary with its scores and types is about 30 MB); a count that only
/// fits a many-gigabyte file's tensor data would otherwise have Cadence allocate that much.
const MAX_HEADER_MEMORY: usize = 256 << 20;
/// The smallest metadata entry: a key's length, a value type and a one-byte value.
const MIN_ENTRY_BYTES: u64 = 8 + 4 + 1;
/// The smallest tensor record: name length, dimension count, one dimension, type, offset.
const MIN_TENSOR_BYTES: u64 = 8 + 4 + 8 + 4 + 8;

type Parsed = (u32, HashMap<String, Value>, Vec<TensorInfo>);

/// Parses a whole GGUF header from bytes and checks that every tensor's data lies within
/// them. Public so that property tests and the fuzz target can feed it arbitrary input
/// without touching the file system.
pub fn parse(bytes: &[u8]) -> std::result::Result<Parsed, String> {
    parse_within(bytes, MAX_HEADER_MEMORY)
}

/// [`parse`], allocating at most about `memory` bytes for the header.
pub(super) fn parse_within(bytes: &[u8], memory: usize) -> std::result::Result<Parsed, String> {
    let mut reader = Reader {
        bytes,
        pos: 0,
        limit: memory,
        budget: memory,
    };
    let magic = reader
        .take(4)
        .map_err(|_| "the file is shorter than a GGUF header")?;
    if magic != GGUF_MAGIC {
        return Err("it does not start with the GGUF magic bytes, so it is not a GGUF file".into());
    }
    let version = reader.u32()?;
    if !(2..=3).contains(&version) {
        return Err(format!(
            "GGUF version {version} is not supported (expected 2 or 3)"
        ));
    }
    let tensor_count = reader.u64()?;
    let kv_count = reader.u64()?;
    let needed = kv_count
        .checked_mul(MIN_ENTRY_BYTES)
        .zip(tensor_count.checked_mul(MIN_TENSOR_BYTES))
        .and_then(|(entries, tensors)| entries.checked_add(tensors));
    if needed.is_none_or(|needed| needed > reader.remaining() as u64) {
        return Err(format!(
            "the header claims {kv_count} metadata entries and {tensor_count} tensors, more \
             than the file can hold"
        ));
    }
    // Both counts are now below the file's size, so the memory charge cannot overflow.
    let kv_count = kv_count as usize;
    let tensor_count = tensor_count as usize;
    reader.charge(
        kv_count * (size_of::<String>() + size_of::<Value>()),
        "the metadata table",
    )?;
    let mut metadata = HashMap::with_capacity(kv_count);
    for _ in 0..kv_count {
        let key = reader.string().map_err(|e| format!("metadata key: {e}"))?;
        let value_type = reader.u32()?;
        let value = reader
            .value(value_type, 0)
            .map_err(|e| format!("metadata `{key}`: {e}"))?;
        if metadata.contains_key(&key) {
            return Err(format!("the metadata key `{key}` appears twice"));
        }
        metadata.insert(key, value);
    }
    let alignment = match metadata.get("general.alignment") {
        Some(v) => v
            .as_u64()
            .filter(|a| *a > 0 && a.is_power_of_two() && *a <= 1 << 20)
            .ok_or("general.alignment is not a power of two")?,
        None => DEFAULT_ALIGNMENT,
    };
    reader.charge(
        tensor_count * (size_of::<TensorRecord>() + size_of::<TensorInfo>()),
        "the tensor table",
    )?;
    let mut records = Vec::with_capacity(tensor_count);
    for _ in 0..tensor_count {
        records.push(reader.tensor_record()?);
    }
    let data_start = (reader.pos as u64).div_ceil(alignment) * alignment;
    let mut names = HashSet::with_capacity(records.len());
    if let Some(twice) = records.iter().find(|r| !names.insert(r.name.as_str())) {
        return Err(format!("the tensor `{}` appears twice", twice.name));
    }
    let tensors = records
        .into_iter()
        .map(|record| record.place(data_start, alignment, bytes.len()))
        .collect::<std::result::Result<_, _>>()?;
    Ok((version, metadata, tensors))
}

/// A tensor as the table describes it, before its data is found in the file.
struct TensorRecord {
    name: String,
    dims: Vec<usize>,
    tensor_type: TensorType,
    /// From the start of the tensor data.
    offset: u64,
}

impl TensorRecord {
    /// Where the tensor's data lies in a file of `file_len` bytes whose tensor data starts at
    /// `data_start`, if it lies wholly within it.
    fn place(
        self,
        data_start: u64,
        alignment: u64,
        file_len: usize,
    ) -> std::result::Result<TensorInfo, String> {
        let name = &self.name;
        let impossibly_large = || format!("tensor `{name}` is impossibly large");
        let elements = self
            .dims
            .iter()
            .try_fold(1usize, |acc, &d| acc.checked_mul(d))
            .ok_or_else(impossibly_large)?;
        let (block, type_size) = self.tensor_type.block_layout();
        if !self.dims[0].is_multiple_of(block) {
            return Err(format!(
                "tensor `{name}` has rows of {} elements, not a multiple of the {} block \
                 size {block}",
                self.dims[0],
                self.tensor_type.name()
            ));
        }
        let byte_len = (elements / block)
            .checked_mul(type_size)
            .ok_or_else(impossibly_large)?;
        if !self.offset.is_multiple_of(alignment) {
            return Err(format!(
                "tensor `{name}` starts at offset {}, which is not a multiple of the file's \
                 alignment {alignment}",
                self.offset
            ));
        }
        let start = data_start
            .checked_add(self.offset)
            .filter(|s| *s <= file_len as u64)
            .ok_or_else(|| format!("tensor `{name}` starts past the end of the file"))?
            as usize;
        if start.checked_add(byte_len).is_none_or(|end| end > file_len) {
            return Err(format!(
                "tensor `{name}` needs {byte_len} bytes at offset {start} but the file is \
                 {file_len} bytes long (truncated download?)"
            ));
        }
        Ok(TensorInfo {
            name: self.name,
            dims: self.dims,
            tensor_type: self.tensor_type,
            offset: start,
            byte_len,
        })
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    /// Bytes the parsed header may allocate in all, and still may.
    limit: usize,
    budget: usize,
}

impl<'a> Reader<'a> {
    fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    /// Takes `bytes` from the memory budget, before they are allocated.
    fn charge(&mut self, bytes: usize, what: &str) -> std::result::Result<(), String> {
        self.budget = self.budget.checked_sub(bytes).ok_or_else(|| {
            format!(
                "{what} would take more than the {} of memory a model's header may use",
                in_words(self.limit)
            )
        })?;
        Ok(())
    }

    fn take(&mut self, n: usize) -> std::result::Result<&'a [u8], String> {
        if n > self.remaining() {
            return Err(format!(
                "the header ends early (needed {n} bytes at offset {}, {} left)",
                self.pos,
                self.remaining()
            ));
        }
        let slice = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(slice)
    }

    fn array<const N: usize>(&mut self) -> std::result::Result<[u8; N], String> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn u32(&mut self) -> std::result::Result<u32, String> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    fn u64(&mut self) -> std::result::Result<u64, String> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    fn string(&mut self) -> std::result::Result<String, String> {
        let len = self.u64()?;
        if len > self.remaining() as u64 {
            return Err(format!(
                "a string of {len} bytes runs past the end of the file"
            ));
        }
        let len = len as usize;
        self.charge(len, "a string")?;
        let text = String::from_utf8_lossy(self.take(len)?).into_owned();
        // Invalid UTF-8 grows by its replacement characters; charge what was added.
        self.charge(text.len().saturating_sub(len), "a string")?;
        Ok(text)
    }

    fn tensor_record(&mut self) -> std::result::Result<TensorRecord, String> {
        let name = self.string().map_err(|e| format!("tensor name: {e}"))?;
        let n_dims = self.u32()?;
        if n_dims == 0 || n_dims > MAX_TENSOR_DIMS {
            return Err(format!("tensor `{name}` has {n_dims} dimensions"));
        }
        let mut dims = Vec::with_capacity(n_dims as usize);
        for _ in 0..n_dims {
            let d = self.u64()?;
            let d = usize::try_from(d)
                .ok()
                .filter(|d| *d > 0 && *d <= 1 << 40)
                .ok_or_else(|| format!("tensor `{name}` has a dimension of {d}"))?;
            dims.push(d);
        }
        let type_id = self.u32()?;
        let tensor_type = TensorType::from_id(type_id).ok_or_else(|| {
            format!("tensor `{name}` has the type number {type_id}, which ggml does not define")
        })?;
        let offset = self.u64()?;
        Ok(TensorRecord {
            name,
            dims,
            tensor_type,
            offset,
        })
    }

    fn value(&mut self, value_type: u32, depth: usize) -> std::result::Result<Value, String> {
        Ok(match value_type {
            0 => Value::U8(self.array::<1>()?[0]),
            1 => Value::I8(self.array::<1>()?[0] as i8),
            2 => Value::U16(u16::from_le_bytes(self.array()?)),
            3 => Value::I16(i16::from_le_bytes(self.array()?)),
            4 => Value::U32(self.u32()?),
            5 => Value::I32(i32::from_le_bytes(self.array()?)),
            6 => Value::F32(f32::from_le_bytes(self.array()?)),
            7 => Value::Bool(self.array::<1>()?[0] != 0),
            8 => Value::String(self.string()?),
            9 => {
                if depth >= MAX_ARRAY_NESTING {
                    return Err("arrays are nested too deeply".into());
                }
                let element_type = self.u32()?;
                let count = self.u64()?;
                let element_bytes = min_value_bytes(element_type).ok_or_else(|| {
                    format!("an array of the unknown metadata value type {element_type}")
                })?;
                if count
                    .checked_mul(element_bytes)
                    .is_none_or(|bytes| bytes > self.remaining() as u64)
                {
                    return Err(format!(
                        "an array of {count} elements runs past the end of the file"
                    ));
                }
                let count = count as usize;
                self.charge(count * size_of::<Value>(), "an array")?;
                let mut values = Vec::with_capacity(count);
                for _ in 0..count {
                    values.push(self.value(element_type, depth + 1)?);
                }
                Value::Array(values)
            }
            10 => Value::U64(self.u64()?),
            11 => Value::I64(i64::from_le_bytes(self.array()?)),
            12 => Value::F64(f64::from_le_bytes(self.array()?)),
            other => return Err(format!("unknown metadata value type {other}")),
        })
    }
}

/// The fewest bytes a metadata value of `value_type` takes in the file, or `None` for a type
/// GGUF does not define.
fn min_value_bytes(value_type: u32) -> Option<u64> {
    Some(match value_type {
        0 | 1 | 7 => 1,
        2 | 3 => 2,
        4..=6 => 4,
        // A string's length, or an array's element type and count.
        8 => 8,
        9 => 12,
        10..=12 => 8,
        _ => return None,
    })
}

/// `bytes` as a person reads them: `256 MiB`, or `1000 bytes` when under a mebibyte.
fn in_words(bytes: usize) -> String {
    if bytes >= 1 << 20 {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{bytes} bytes")
    }
}
