//! Parsing the GGUF header (metadata and tensor table) from bytes, every length checked
//! against what is there before anything is allocated for it.

use std::collections::HashMap;

use super::{TensorInfo, TensorType, Value};

const GGUF_MAGIC: &[u8; 4] = b"GGUF";
const DEFAULT_ALIGNMENT: u64 = 32;
const MAX_ARRAY_NESTING: usize = 4;
const MAX_TENSOR_DIMS: u32 = 4;

type Parsed = (u32, HashMap<String, Value>, Vec<TensorInfo>);

/// Parses a whole GGUF header from bytes. Public so that property tests can feed it
/// arbitrary input without touching the file system.
pub fn parse(bytes: &[u8]) -> std::result::Result<Parsed, String> {
    let mut reader = Reader { bytes, pos: 0 };
    let magic = reader
        .take(4)
        .map_err(|_| "the file is shorter than a GGUF header")?;
    if magic != GGUF_MAGIC {
        return Err("it does not start with the GGUF magic bytes".into());
    }
    let version = reader.u32()?;
    if !(2..=3).contains(&version) {
        return Err(format!(
            "GGUF version {version} is not supported (expected 2 or 3)"
        ));
    }
    let tensor_count = reader.u64()?;
    let kv_count = reader.u64()?;
    // Each key-value pair and tensor record needs at least 12 bytes; reject counts the file
    // cannot possibly hold before allocating anything for them.
    let room = (bytes.len() / 12) as u64;
    if kv_count > room || tensor_count > room {
        return Err(format!(
            "the header claims {kv_count} metadata entries and {tensor_count} tensors, more \
             than the file can hold"
        ));
    }
    let mut metadata = HashMap::with_capacity(kv_count as usize);
    for _ in 0..kv_count {
        let key = reader.string().map_err(|e| format!("metadata key: {e}"))?;
        let value_type = reader.u32()?;
        let value = reader
            .value(value_type, 0)
            .map_err(|e| format!("metadata `{key}`: {e}"))?;
        metadata.insert(key, value);
    }
    let alignment = match metadata.get("general.alignment") {
        Some(v) => v
            .as_u64()
            .filter(|a| *a > 0 && a.is_power_of_two() && *a <= 1 << 20)
            .ok_or("general.alignment is not a power of two")?,
        None => DEFAULT_ALIGNMENT,
    };
    let mut raw_tensors = Vec::with_capacity(tensor_count as usize);
    for _ in 0..tensor_count {
        let name = reader.string().map_err(|e| format!("tensor name: {e}"))?;
        let n_dims = reader.u32()?;
        if n_dims == 0 || n_dims > MAX_TENSOR_DIMS {
            return Err(format!("tensor `{name}` has {n_dims} dimensions"));
        }
        let mut dims = Vec::with_capacity(n_dims as usize);
        for _ in 0..n_dims {
            let d = reader.u64()?;
            let d = usize::try_from(d)
                .ok()
                .filter(|d| *d > 0 && *d <= 1 << 40)
                .ok_or_else(|| format!("tensor `{name}` has a dimension of {d}"))?;
            dims.push(d);
        }
        let tensor_type = TensorType::from_id(reader.u32()?);
        let offset = reader.u64()?;
        raw_tensors.push((name, dims, tensor_type, offset));
    }
    let data_start = (reader.pos as u64).div_ceil(alignment) * alignment;
    let mut tensors = Vec::with_capacity(raw_tensors.len());
    for (name, dims, tensor_type, offset) in raw_tensors {
        let elements = dims
            .iter()
            .try_fold(1usize, |acc, &d| acc.checked_mul(d))
            .ok_or_else(|| format!("tensor `{name}` is impossibly large"))?;
        let byte_len = match tensor_type.block_layout() {
            Some((block, type_size)) => {
                if dims[0] % block != 0 {
                    return Err(format!(
                        "tensor `{name}` has rows of {} elements, not a multiple of the {} \
                         block size {block}",
                        dims[0],
                        tensor_type.name()
                    ));
                }
                (elements / block)
                    .checked_mul(type_size)
                    .ok_or_else(|| format!("tensor `{name}` is impossibly large"))?
            }
            // Unknown types are reported by the model loader if the model needs them.
            None => 0,
        };
        let start = data_start
            .checked_add(offset)
            .filter(|s| *s <= bytes.len() as u64)
            .ok_or_else(|| format!("tensor `{name}` starts past the end of the file"))?
            as usize;
        if start
            .checked_add(byte_len)
            .is_none_or(|end| end > bytes.len())
        {
            return Err(format!(
                "tensor `{name}` needs {byte_len} bytes at offset {start} but the file is {} \
                 bytes long (truncated download?)",
                bytes.len()
            ));
        }
        tensors.push(TensorInfo {
            name,
            dims,
            tensor_type,
            offset: start,
            byte_len,
        });
    }
    Ok((version, metadata, tensors))
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
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
        let raw = self.take(len as usize)?;
        Ok(String::from_utf8_lossy(raw).into_owned())
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
                // Every element takes at least one byte.
                if count > self.remaining() as u64 {
                    return Err(format!(
                        "an array of {count} elements runs past the end of the file"
                    ));
                }
                let mut values = Vec::with_capacity(count as usize);
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
