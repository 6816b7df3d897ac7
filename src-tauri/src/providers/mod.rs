//! Where generations come from besides the local engine: cloud models behind HTTP APIs.

pub mod gemini;
