//! Note values (tied where no single one fits), rests and notes on a staff, and the XML
//! writer with its escaping.

use std::fmt::Display;

use cadence_theory::Note;

use super::DIVISIONS;

/// A note value: its length in divisions and, when it is a plain or dotted one, its name.
#[derive(Debug, PartialEq, Eq)]
struct Piece {
    length: u32,
    value: Option<(&'static str, bool)>,
}

/// Written values from the longest: (name, dotted, length in divisions). Every length is a
/// multiple of a sixty-fourth, so a multiple of one is always spelled out exactly.
const NOTE_VALUES: [(&str, bool, u32); 13] = [
    ("whole", true, 5760),
    ("whole", false, 3840),
    ("half", true, 2880),
    ("half", false, 1920),
    ("quarter", true, 1440),
    ("quarter", false, 960),
    ("eighth", true, 720),
    ("eighth", false, 480),
    ("16th", true, 360),
    ("16th", false, 240),
    ("32nd", true, 180),
    ("32nd", false, 120),
    ("64th", false, 60),
];

/// A length as tied written values, longest first; a length no sum of them makes
/// (a triplet) is one note with no written value, which readers work out from its duration.
fn note_values(length: u32) -> Vec<Piece> {
    const SIXTY_FOURTH: u32 = DIVISIONS / 16;
    if !length.is_multiple_of(SIXTY_FOURTH) {
        return vec![Piece {
            length,
            value: None,
        }];
    }
    let mut pieces = Vec::new();
    let mut left = length;
    while let Some(&(name, dotted, value)) = NOTE_VALUES.iter().find(|(_, _, v)| *v <= left) {
        pieces.push(Piece {
            length: value,
            value: Some((name, dotted)),
        });
        left -= value;
    }
    pieces
}

/// Where a staff's notes go: a voice on a staff of the part.
pub(super) struct Voice {
    pub(super) voice: u8,
    pub(super) staff: u8,
}

impl Voice {
    /// A whole bar's rest.
    pub(super) fn measure_rest(&self, xml: &mut Xml, length: u32) {
        xml.open("note", &[]);
        xml.empty("rest", &[("measure", "yes")]);
        xml.leaf("duration", &[], length);
        xml.leaf("voice", &[], self.voice);
        xml.leaf("staff", &[], self.staff);
        xml.close("note");
    }

    pub(super) fn rest(&self, xml: &mut Xml, length: u32) {
        for piece in note_values(length) {
            xml.open("note", &[]);
            xml.empty("rest", &[]);
            xml.leaf("duration", &[], piece.length);
            xml.leaf("voice", &[], self.voice);
            write_value(xml, &piece);
            xml.leaf("staff", &[], self.staff);
            xml.close("note");
        }
    }

    /// `notes` together for `length`, tied over from before and on to after as `ties` says;
    /// a rest when there are none. On a tablature staff `frets` holds each note's string
    /// (1 the highest) and fret; elsewhere it is empty.
    pub(super) fn sound(
        &self,
        xml: &mut Xml,
        notes: &[Note],
        frets: &[(u8, u8)],
        length: u32,
        ties: (bool, bool),
    ) {
        if notes.is_empty() {
            self.rest(xml, length);
            return;
        }
        let pieces = note_values(length);
        for (index, piece) in pieces.iter().enumerate() {
            let tie_stop = ties.0 || index > 0;
            let tie_start = ties.1 || index + 1 < pieces.len();
            for (position, note) in notes.iter().enumerate() {
                xml.open("note", &[]);
                if position > 0 {
                    xml.empty("chord", &[]);
                }
                xml.open("pitch", &[]);
                xml.leaf("step", &[], note.pitch().letter().as_char());
                if note.pitch().alter() != 0 {
                    xml.leaf("alter", &[], note.pitch().alter());
                }
                xml.leaf("octave", &[], note.octave());
                xml.close("pitch");
                xml.leaf("duration", &[], piece.length);
                let ties = [("stop", tie_stop), ("start", tie_start)];
                for (kind, _) in ties.iter().filter(|(_, on)| *on) {
                    xml.empty("tie", &[("type", kind)]);
                }
                xml.leaf("voice", &[], self.voice);
                write_value(xml, piece);
                xml.leaf("staff", &[], self.staff);
                let fret = frets.get(position);
                if tie_stop || tie_start || fret.is_some() {
                    xml.open("notations", &[]);
                    for (kind, _) in ties.iter().filter(|(_, on)| *on) {
                        xml.empty("tied", &[("type", kind)]);
                    }
                    if let Some((string, fret)) = fret {
                        xml.open("technical", &[]);
                        xml.leaf("string", &[], string);
                        xml.leaf("fret", &[], fret);
                        xml.close("technical");
                    }
                    xml.close("notations");
                }
                xml.close("note");
            }
        }
    }
}

fn write_value(xml: &mut Xml, piece: &Piece) {
    if let Some((name, dotted)) = piece.value {
        xml.leaf("type", &[], name);
        if dotted {
            xml.empty("dot", &[]);
        }
    }
}

/// An indented XML document written element by element; text and attribute values are
/// escaped.
#[derive(Default)]
pub(super) struct Xml {
    pub(super) text: String,
    depth: usize,
}

impl Xml {
    fn start_tag(&mut self, tag: &str, attributes: &[(&str, &str)]) {
        self.text.push_str(&"  ".repeat(self.depth));
        self.text.push('<');
        self.text.push_str(tag);
        for (name, value) in attributes {
            self.text.push(' ');
            self.text.push_str(name);
            self.text.push_str("=\"");
            self.text.push_str(&escape(value));
            self.text.push('"');
        }
    }

    pub(super) fn open(&mut self, tag: &str, attributes: &[(&str, &str)]) {
        self.start_tag(tag, attributes);
        self.text.push_str(">\n");
        self.depth += 1;
    }

    pub(super) fn close(&mut self, tag: &str) {
        self.depth = self.depth.saturating_sub(1);
        self.text.push_str(&"  ".repeat(self.depth));
        self.text.push_str("</");
        self.text.push_str(tag);
        self.text.push_str(">\n");
    }

    pub(super) fn leaf(&mut self, tag: &str, attributes: &[(&str, &str)], value: impl Display) {
        self.start_tag(tag, attributes);
        self.text.push('>');
        self.text.push_str(&escape(&value.to_string()));
        self.text.push_str("</");
        self.text.push_str(tag);
        self.text.push_str(">\n");
    }

    pub(super) fn empty(&mut self, tag: &str, attributes: &[(&str, &str)]) {
        self.start_tag(tag, attributes);
        self.text.push_str("/>\n");
    }
}

/// Text safe inside an element or a quoted attribute; characters XML 1.0 forbids (most
/// control characters) are left out.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            '\t' | '\n' | '\r' => escaped.push(c),
            c if u32::from(c) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(pieces: &[Piece]) -> Vec<(u32, Option<(&str, bool)>)> {
        pieces.iter().map(|p| (p.length, p.value)).collect()
    }

    #[test]
    fn a_length_is_the_fewest_tied_values_longest_first() {
        assert_eq!(written(&note_values(1920)), [(1920, Some(("half", false)))]);
        assert_eq!(
            written(&note_values(1440)),
            [(1440, Some(("quarter", true)))]
        );
        assert_eq!(
            written(&note_values(2400)),
            [
                (1920, Some(("half", false))),
                (480, Some(("eighth", false)))
            ]
        );
        let long = note_values(16 * DIVISIONS);
        assert_eq!(long.iter().map(|p| p.length).sum::<u32>(), 16 * DIVISIONS);
        assert!(long.iter().all(|p| p.value.is_some()));
        // A half-note triplet has no written value of its own.
        assert_eq!(written(&note_values(1280)), [(1280, None)]);
    }

    #[test]
    fn notes_tie_between_their_pieces_and_over_from_the_bar_before() {
        let mut xml = Xml::default();
        let voice = Voice { voice: 1, staff: 1 };
        let note: Note = "F#4".parse().unwrap();
        voice.sound(&mut xml, &[note], &[], 2400, (true, false));
        let text: String = xml.text.lines().map(str::trim).collect();
        let pitch = "<pitch><step>F</step><alter>1</alter><octave>4</octave></pitch>";
        assert_eq!(
            text,
            format!(
                "<note>{pitch}<duration>1920</duration><tie type=\"stop\"/><tie type=\"start\"/>\
                 <voice>1</voice><type>half</type><staff>1</staff>\
                 <notations><tied type=\"stop\"/><tied type=\"start\"/></notations></note>\
                 <note>{pitch}<duration>480</duration><tie type=\"stop\"/>\
                 <voice>1</voice><type>eighth</type><staff>1</staff>\
                 <notations><tied type=\"stop\"/></notations></note>"
            )
        );
    }

    #[test]
    fn text_is_escaped_and_forbidden_characters_left_out() {
        assert_eq!(
            escape("a & b < c > \"d\" 'e'\u{1}\u{FFFF}\tf"),
            "a &amp; b &lt; c &gt; &quot;d&quot; &apos;e&apos;\tf"
        );
        let mut xml = Xml::default();
        xml.open("part", &[("id", "P\"1")]);
        xml.leaf("name", &[], "<x>");
        xml.empty("rest", &[]);
        xml.close("part");
        assert_eq!(
            xml.text,
            "<part id=\"P&quot;1\">\n  <name>&lt;x&gt;</name>\n  <rest/>\n</part>\n"
        );
    }
}
