//! HTTP responses made from fuzz input, as the clients receive them from ureq.

// Each target uses the one shape of response it reads.
#![allow(dead_code)]

use std::io::{self, Read};

use ureq::Body;
use ureq::http::Response;

/// A 200 response whose body is `input` after its first byte, which says how the body
/// arrives: bit 0 set, it breaks off with an I/O error after its last byte, as a dropped
/// connection does; the other bits, the size of each read (0: everything at once).
pub fn streamed(input: &[u8]) -> Option<(Response<Body>, bool)> {
    let (&shape, body) = input.split_first()?;
    let breaks_off = shape & 1 == 1;
    let reader = Pieces {
        body: body.to_vec(),
        at: 0,
        piece: usize::from(shape >> 1),
        breaks_off,
    };
    let response = Response::builder()
        .status(200)
        .body(Body::builder().reader(reader))
        .ok()?;
    Some((response, breaks_off))
}

/// A response whose first line is its status and, after a space, the value of its
/// `Retry-After` header (`429 30`), and whose body is the rest: `None` without a status.
pub fn with_status(input: &[u8]) -> Option<(Response<Body>, u16)> {
    let (head, body) = match input.iter().position(|&byte| byte == b'\n') {
        Some(end) => (&input[..end], &input[end + 1..]),
        None => (input, &[][..]),
    };
    let (status, retry_after) = match head.iter().position(|&byte| byte == b' ') {
        Some(space) => (&head[..space], Some(&head[space + 1..])),
        None => (head, None),
    };
    let status: u16 = std::str::from_utf8(status).ok()?.parse().ok()?;
    let mut builder = Response::builder().status(status);
    if let Some(value) = retry_after {
        builder = builder.header("retry-after", value);
    }
    // A status or header value HTTP cannot carry never reaches the client.
    let response = builder.body(Body::builder().data(body.to_vec())).ok()?;
    Some((response, status))
}

/// A body read in pieces, that may end in an I/O error.
struct Pieces {
    body: Vec<u8>,
    at: usize,
    piece: usize,
    breaks_off: bool,
}

impl Read for Pieces {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        if self.at == self.body.len() && self.breaks_off {
            return Err(io::Error::new(
                io::ErrorKind::ConnectionReset,
                "connection reset",
            ));
        }
        let wanted = if self.piece == 0 {
            buffer.len()
        } else {
            self.piece.min(buffer.len())
        };
        let end = (self.at + wanted).min(self.body.len());
        let read = end - self.at;
        buffer[..read].copy_from_slice(&self.body[self.at..end]);
        self.at = end;
        Ok(read)
    }
}
