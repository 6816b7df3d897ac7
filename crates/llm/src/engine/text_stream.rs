//! Streaming text deltas out of a growing token sequence, holding back partial characters
//! and anything that may turn out to be a stop string.

/// Turns the decoded text of the growing generation into deltas that never split a
/// character and never show a stop string (or the beginning of one, until it is clear it
/// is not one).
///
/// Only a short window of recent tokens is decoded each step, with a few tokens before it
/// as context so that decoders which strip a leading space at the start of a sequence do
/// not drop real spaces.
pub(super) struct TextStream {
    stops: Vec<String>,
    prefix_offset: usize,
    read_offset: usize,
    /// All text up to `read_offset`, then the current window's text.
    settled: String,
    window_len: usize,
    emitted: usize,
    pub(super) stopped: bool,
}

/// Tokens per decode window: enough for any multi-token character, few enough to stay
/// cheap on long generations.
const DECODE_WINDOW: usize = 8;

impl TextStream {
    pub(super) fn new(stops: &[String], template_stops: &[&str]) -> Self {
        let mut all: Vec<String> = stops.iter().filter(|s| !s.is_empty()).cloned().collect();
        all.extend(template_stops.iter().map(|s| s.to_string()));
        Self {
            stops: all,
            prefix_offset: 0,
            read_offset: 0,
            settled: String::new(),
            window_len: 0,
            emitted: 0,
            stopped: false,
        }
    }

    /// Takes the whole generation so far and returns the text that may now be shown.
    pub(super) fn push(
        &mut self,
        tokens: &[u32],
        decode: impl Fn(&[u32]) -> String,
    ) -> Option<String> {
        let prefix_text = decode(&tokens[self.prefix_offset..self.read_offset]);
        let full = decode(&tokens[self.prefix_offset..]);
        // An incomplete character decodes to U+FFFD; wait for the token that completes it.
        if full.ends_with('\u{FFFD}') {
            return None;
        }
        let window = full.get(prefix_text.len()..)?;
        let base = self.settled.len() - self.window_len;
        self.settled.truncate(base);
        self.settled.push_str(window);
        self.window_len = window.len();
        if tokens.len() - self.read_offset >= DECODE_WINDOW {
            self.prefix_offset = self.read_offset;
            self.read_offset = tokens.len();
            self.window_len = 0;
        }
        let longest_stop = self.stops.iter().map(String::len).max().unwrap_or(0);
        let search_from =
            floor_char_boundary(&self.settled, self.emitted.saturating_sub(longest_stop));
        if let Some(at) = self
            .stops
            .iter()
            .filter_map(|s| {
                self.settled[search_from..]
                    .find(s.as_str())
                    .map(|i| search_from + i)
            })
            .min()
        {
            self.stopped = true;
            let end = at.max(self.emitted);
            return self.take_until(end);
        }
        // Hold back a tail that could still grow into a stop string.
        let mut hold = 0;
        for stop in &self.stops {
            for len in (1..stop.len()).rev() {
                if len <= self.settled.len()
                    && self.settled.is_char_boundary(self.settled.len() - len)
                    && stop.is_char_boundary(len)
                    && self.settled.ends_with(&stop[..len])
                {
                    hold = hold.max(len);
                    break;
                }
            }
        }
        let end = floor_char_boundary(&self.settled, self.settled.len() - hold);
        self.take_until(end)
    }

    fn take_until(&mut self, end: usize) -> Option<String> {
        if end <= self.emitted {
            return None;
        }
        let delta = self.settled[self.emitted..end].to_string();
        self.emitted = end;
        Some(delta)
    }

    /// Text held back for a stop string that never came.
    pub(super) fn finish(&mut self) -> Option<String> {
        if self.stopped {
            return None;
        }
        let end = self.settled.len();
        self.take_until(end)
    }
}

fn floor_char_boundary(s: &str, mut index: usize) -> usize {
    index = index.min(s.len());
    while !s.is_char_boundary(index) {
        index -= 1;
    }
    index
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each token is one character of this text, or a byte of a two-byte character.
    fn decode_chars(text: &'static str) -> impl Fn(&[u32]) -> String {
        move |ids: &[u32]| {
            let bytes: Vec<u8> = ids.iter().map(|&i| text.as_bytes()[i as usize]).collect();
            String::from_utf8_lossy(&bytes).into_owned()
        }
    }

    #[test]
    fn stream_holds_back_partial_stop_strings() {
        let text = "Hello STx STOP and more";
        let mut s = TextStream::new(&["STOP".into()], &[]);
        let ids: Vec<u32> = (0..text.len() as u32).collect();
        let mut shown = String::new();
        for n in 1..=ids.len() {
            if let Some(delta) = s.push(&ids[..n], decode_chars(text)) {
                shown.push_str(&delta);
            }
            if n == 7 {
                assert_eq!(shown, "Hello ");
            }
            if s.stopped {
                break;
            }
        }
        assert!(s.stopped);
        assert_eq!(shown, "Hello STx ");
        assert_eq!(s.finish(), None);
    }

    #[test]
    fn stream_never_splits_characters() {
        let text = "aé日本語 ok";
        let mut s = TextStream::new(&[], &[]);
        let ids: Vec<u32> = (0..text.len() as u32).collect();
        let mut shown = String::new();
        for n in 1..=ids.len() {
            if let Some(delta) = s.push(&ids[..n], decode_chars(text)) {
                assert!(!delta.contains('\u{FFFD}'));
                shown.push_str(&delta);
            }
        }
        if let Some(rest) = s.finish() {
            shown.push_str(&rest);
        }
        assert_eq!(shown, text);
    }
}
