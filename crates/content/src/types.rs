//! The lesson documents: what generators produce, the store keeps and export writes.
//!
//! Musical facts appear as the theory engine's ASCII names ("Eb major", "Bb7", "Eb4",
//! "V7/V"). A model writes keys and numerals; every field documented as computed is
//! filled in (or overwritten) by [`crate::validate`], never trusted.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::ContentError;
// One definition of each kind serves the documents and the library columns.
pub use cadence_store::{AssessmentKind, ExerciseKind};

/// Version of every document format below; bump it when a change breaks old files.
pub const SCHEMA_VERSION: u32 = 1;

/// String patterns the schemas carry, so that a constrained decoder can only write
/// something shaped like a key, a numeral, a chord symbol or a standard code. The theory
/// engine still checks what the shape cannot.
pub mod pattern {
    /// `Eb major`, `F# minor`.
    pub const KEY: &str = r"^[A-G](##|#|bb|b)? (major|minor)$";
    /// `Eb`, `F#`, `Cbb`.
    pub const PITCH_CLASS: &str = r"^[A-G](##|#|bb|b)?$";
    /// `Eb4`: scientific pitch notation.
    pub const NOTE: &str = r"^[A-G](##|#|bb|b)?-?[0-9]$";
    /// `ii7`, `V7/V`, `viio7/ii`, `bVII`, `N6`, `Ger+6`. Suffixes are bounded: an unbounded
    /// one lets a sampling model ramble inside a single field.
    pub const NUMERAL: &str = r"^(bb|b|#)?(VII|VI|V|IV|III|II|I|vii|vi|v|iv|iii|ii|i|N|It|Fr|Ger)[A-Za-z0-9+#°ø()]{0,8}(/(bb|b|#)?(VII|VI|V|IV|III|II|I|vii|vi|v|iv|iii|ii|i))?$";
    /// `Ebmaj7`, `C7(b9,#11)`, `F/A`; empty where the engine has yet to compute it.
    pub const CHORD_SYMBOL: &str =
        r"^([A-G](##|#|bb|b)?[A-Za-z0-9+#°ø(),^-]{0,16}(/[A-G](##|#|bb|b)?)?)?$";
    /// A US National Core Arts Standards music code: `MU:Cr1.1.4a`, `MU:Pr4.2.Ka`.
    pub const STANDARD_CODE: &str = r"^MU:(Cr|Pr|Re|Cn)[0-9]{1,2}\.[0-9]\.(PK|K|[1-8])[a-z]$";
    /// Every voicing name the theory engine reads, canonical names and aliases.
    pub const VOICING_KIND: &str = "^(close|closed|drop-2|drop2|drop-3|drop3|shell|shell-a|shell-137|shell-b|shell-173|rootless-a|a|rootless-b|b|rootless|rootless-ab|gospel|upper-structure|ust|upper)$";
    /// `4/4`, `6/8`.
    pub const METER: &str = r"^[1-9][0-9]?/(1|2|4|8|16)$";
    /// Every scale name the theory engine reads, canonical names and aliases.
    pub const SCALE_KIND: &str = "^(major|ionian|dorian|phrygian|lydian|mixolydian|natural minor|minor|aeolian|locrian|harmonic minor|melodic minor|jazz minor|major pentatonic|pentatonic|minor pentatonic|blues|minor blues|major blues|bebop dominant|bebop|bebop major|bebop dorian|bebop minor|bebop melodic minor|altered|super locrian|lydian dominant|lydian b7|whole tone|diminished|whole half diminished|dominant diminished|half whole diminished)$";
}

fn current_version() -> u32 {
    SCHEMA_VERSION
}

/// How far along the student is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Beginner,
    Intermediate,
    Advanced,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::Beginner, Level::Intermediate, Level::Advanced];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Beginner => "beginner",
            Level::Intermediate => "intermediate",
            Level::Advanced => "advanced",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Level {
    type Err = ContentError;

    fn from_str(s: &str) -> Result<Self, ContentError> {
        let wanted = s.trim().to_lowercase();
        Level::ALL
            .into_iter()
            .find(|level| level.as_str() == wanted)
            .ok_or_else(|| ContentError::UnknownLevel {
                input: s.to_string(),
            })
    }
}

/// How a bare upper-case `7` in a numeral is read: `classical` (I7 = Imaj7 in major) or
/// `jazz` (I7 is a dominant seventh, as in the blues).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum NumeralStyle {
    #[default]
    Classical,
    Jazz,
}

impl NumeralStyle {
    pub fn theory(self) -> cadence_theory::Style {
        match self {
            NumeralStyle::Classical => cadence_theory::Style::Classical,
            NumeralStyle::Jazz => cadence_theory::Style::Jazz,
        }
    }
}

/// One chord of a progression.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ChordEntry {
    /// 1-based bar number.
    #[schemars(range(min = 1, max = 64))]
    pub bar: u32,
    /// Roman numeral in the payload's key, e.g. "ii7", "V7/V", "bVII7".
    #[schemars(pattern(pattern::NUMERAL))]
    pub numeral: String,
    /// Chord symbol (computed from numeral and key), e.g. "Fm7".
    #[serde(default)]
    #[schemars(pattern(pattern::CHORD_SYMBOL))]
    pub symbol: String,
    /// Spelled pitch classes, root first or bass first for inversions (computed).
    #[serde(default)]
    #[schemars(inner(pattern(pattern::PITCH_CLASS)))]
    pub notes: Vec<String>,
    /// Piano voicing (computed when the payload names a voicing kind).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voicing: Option<VoicingEntry>,
}

/// A chord voiced on the piano.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct VoicingEntry {
    /// Voicing kind, e.g. "shell", "rootless-a", "drop-2".
    pub kind: String,
    /// Notes with octaves, lowest first, e.g. ["Ab3", "C4", "Eb4", "G4"].
    #[schemars(inner(pattern(pattern::NOTE)))]
    pub notes: Vec<String>,
}

/// A scale with its spelled notes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ScaleEntry {
    /// Tonic pitch class, e.g. "Eb".
    #[schemars(pattern(pattern::PITCH_CLASS))]
    pub tonic: String,
    /// Scale name, e.g. "major", "harmonic minor", "blues".
    #[schemars(pattern(pattern::SCALE_KIND))]
    pub kind: String,
    /// Ascending pitch classes from the tonic (computed).
    #[serde(default)]
    #[schemars(inner(pattern(pattern::PITCH_CLASS)))]
    pub notes: Vec<String>,
}

/// A rhythm: durations in beats within one bar, and the same rhythm in ABC notation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Rhythm {
    /// Time signature, e.g. "4/4".
    #[schemars(pattern(pattern::METER))]
    pub meter: String,
    /// Onsets' durations in quarter-note beats; they fill one bar exactly.
    #[schemars(length(max = 64), inner(range(min = 0.0625, max = 16.0)))]
    pub pattern: Vec<f64>,
    /// The pattern as an ABC tune on one pitch (computed from the pattern).
    #[serde(default)]
    pub abc: String,
}

/// One note of a line (a lick or a scale pattern).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MelodyNote {
    /// Note with octave, e.g. "Bb4".
    #[schemars(pattern(pattern::NOTE))]
    pub note: String,
    /// Length in quarter-note beats.
    #[schemars(range(min = 0.0625, max = 16.0))]
    pub beats: f64,
}

/// The musical content of a document: key, numerals and what is computed from them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MusicPayload {
    /// Key, e.g. "Eb major", "C minor".
    #[schemars(pattern(pattern::KEY))]
    pub key: String,
    #[serde(default)]
    pub style: NumeralStyle,
    /// Voicing kind used for every chord's voicing, e.g. "rootless-a".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(pattern::VOICING_KIND))]
    pub voicing_kind: Option<String>,
    #[serde(default)]
    #[schemars(length(max = 64))]
    pub chords: Vec<ChordEntry>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<ScaleEntry>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rhythm: Option<Rhythm>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub melody: Vec<MelodyNote>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Overview {
    #[schemars(length(max = 8), inner(length(max = 200)))]
    pub what_you_will_learn: Vec<String>,
    #[schemars(range(min = 1, max = 600))]
    pub duration_minutes: u32,
    pub difficulty: Level,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TheorySection {
    #[schemars(length(min = 1, max = 1500))]
    pub summary: String,
    #[schemars(length(max = 16), inner(length(max = 400)))]
    pub key_points: Vec<String>,
    #[schemars(length(max = 8), inner(length(max = 400)))]
    pub examples: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PracticeStep {
    #[schemars(range(min = 1, max = 12))]
    pub step: u32,
    #[schemars(length(max = 160))]
    pub title: String,
    #[schemars(length(max = 800))]
    pub instruction: String,
    /// How the student knows the step is mastered.
    #[schemars(length(max = 400))]
    pub success_criteria: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PracticeGuide {
    #[schemars(length(min = 1, max = 12))]
    pub steps: Vec<PracticeStep>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CommonMistake {
    #[schemars(length(max = 400))]
    pub mistake: String,
    #[schemars(length(max = 400))]
    pub fix: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct NextSteps {
    #[schemars(length(max = 8), inner(length(max = 160)))]
    pub topics: Vec<String>,
    #[schemars(length(max = 800))]
    pub advice: String,
}

/// A tutorial: explanation, guided practice and the music it is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Tutorial {
    #[serde(default = "current_version")]
    #[schemars(range(min = 1, max = SCHEMA_VERSION))]
    pub schema_version: u32,
    #[schemars(length(min = 1, max = 160))]
    pub title: String,
    #[schemars(length(max = 120))]
    pub topic: String,
    #[schemars(length(max = 60))]
    pub instrument: String,
    pub overview: Overview,
    pub theory: TheorySection,
    pub practice_guide: PracticeGuide,
    #[schemars(length(max = 8))]
    pub common_mistakes: Vec<CommonMistake>,
    pub next_steps: NextSteps,
    pub music: MusicPayload,
    /// US National Core Arts Standards (music) codes, e.g. "MU:Pr4.2.5a".
    #[serde(default)]
    #[schemars(inner(pattern(pattern::STANDARD_CODE)))]
    pub standards: Vec<String>,
}

/// Something to practise, with the music written out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Exercise {
    #[serde(default = "current_version")]
    #[schemars(range(min = 1, max = SCHEMA_VERSION))]
    pub schema_version: u32,
    #[schemars(length(min = 1))]
    pub title: String,
    pub kind: ExerciseKind,
    pub difficulty: Level,
    pub instructions: String,
    #[schemars(range(min = 20, max = 400))]
    pub tempo_bpm: u32,
    pub music: MusicPayload,
    pub success_criteria: Vec<String>,
}

/// Points at a lesson of the same curriculum: 0-based module and lesson positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LessonRef {
    #[schemars(range(max = 103))]
    pub module: u32,
    #[schemars(range(max = 999))]
    pub lesson: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ExerciseOutline {
    pub kind: ExerciseKind,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CurriculumLesson {
    pub title: String,
    /// Topic the tutorial generator understands, e.g. "ii-V-I", "major scale".
    pub topic: String,
    /// Key the lesson is taught in, e.g. "F major".
    #[schemars(pattern(pattern::KEY))]
    pub key: String,
    pub concepts: Vec<String>,
    pub difficulty: Level,
    #[schemars(range(min = 1, max = 600))]
    pub duration_minutes: u32,
    #[serde(default)]
    pub prerequisites: Vec<LessonRef>,
    #[serde(default)]
    pub exercises: Vec<ExerciseOutline>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CurriculumModule {
    pub title: String,
    /// First week (1-based) of the module.
    #[schemars(range(min = 1, max = 104))]
    pub week_start: u32,
    /// Last week, inclusive.
    #[schemars(range(min = 1, max = 104))]
    pub week_end: u32,
    pub lessons: Vec<CurriculumLesson>,
}

/// A course plan: modules over week ranges, each with lessons and their exercises.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Curriculum {
    #[serde(default = "current_version")]
    #[schemars(range(min = 1, max = SCHEMA_VERSION))]
    pub schema_version: u32,
    #[schemars(length(min = 1))]
    pub title: String,
    pub instrument: String,
    pub level: Level,
    #[schemars(range(min = 1, max = 104))]
    pub duration_weeks: u32,
    pub description: String,
    #[schemars(length(min = 1))]
    pub modules: Vec<CurriculumModule>,
}

/// Why a chord is where it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ChordFunction {
    Diatonic,
    Applied,
    Borrowed,
    Neapolitan,
    Chromatic,
}

impl From<cadence_theory::HarmonicFunction> for ChordFunction {
    fn from(function: cadence_theory::HarmonicFunction) -> Self {
        use cadence_theory::HarmonicFunction as H;
        match function {
            H::Diatonic => ChordFunction::Diatonic,
            H::Applied => ChordFunction::Applied,
            H::Borrowed => ChordFunction::Borrowed,
            H::Neapolitan => ChordFunction::Neapolitan,
            H::Chromatic => ChordFunction::Chromatic,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FunctionNote {
    #[schemars(range(min = 1, max = 64))]
    pub bar: u32,
    #[schemars(pattern(pattern::NUMERAL))]
    pub numeral: String,
    /// Computed from the chord and the key.
    pub function: ChordFunction,
    pub explanation: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ScaleChordRelation {
    #[schemars(pattern(pattern::CHORD_SYMBOL))]
    pub symbol: String,
    /// Scales (names as in the scale field) that contain every chord tone (checked).
    pub scales: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Substitution {
    #[schemars(range(min = 1, max = 64))]
    pub bar: u32,
    pub original: String,
    pub substitute: String,
    pub explanation: String,
}

/// A harmonic analysis of a progression.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TheoryAnalysis {
    #[serde(default = "current_version")]
    #[schemars(range(min = 1, max = SCHEMA_VERSION))]
    pub schema_version: u32,
    pub title: String,
    pub summary: String,
    pub music: MusicPayload,
    pub functions: Vec<FunctionNote>,
    pub scale_chord: Vec<ScaleChordRelation>,
    pub voice_leading: Vec<String>,
    pub substitutions: Vec<Substitution>,
}

/// What a question asks; the answer key is computed from this by the theory engine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum QuestionSpec {
    /// Which chord is this numeral in this key? Answer: one chord symbol.
    ChordForNumeral {
        #[schemars(pattern(pattern::KEY))]
        key: String,
        #[schemars(pattern(pattern::NUMERAL))]
        numeral: String,
        #[serde(default)]
        style: NumeralStyle,
    },
    /// Which numeral is this chord in this key? Answer: one numeral.
    NumeralForChord {
        #[schemars(pattern(pattern::KEY))]
        key: String,
        #[schemars(pattern(pattern::CHORD_SYMBOL))]
        symbol: String,
        #[serde(default)]
        style: NumeralStyle,
    },
    /// Which notes make up this chord? Answer: its pitch classes.
    ChordNotes {
        #[schemars(pattern(pattern::CHORD_SYMBOL))]
        symbol: String,
    },
    /// Which notes make up this scale? Answer: its pitch classes, ascending.
    ScaleNotes {
        #[schemars(pattern(pattern::PITCH_CLASS))]
        tonic: String,
        scale: String,
    },
    /// How many sharps or flats? Answer: e.g. "3 flats".
    KeySignature {
        #[schemars(pattern(pattern::KEY))]
        key: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Question {
    #[schemars(range(min = 1, max = 100))]
    pub number: u32,
    pub prompt: String,
    pub spec: QuestionSpec,
    /// Multiple-choice options; empty for a free answer. Each option is one answer
    /// written as its items joined by spaces.
    #[serde(default)]
    pub choices: Vec<String>,
    /// The answer key (computed).
    #[serde(default)]
    pub answer: Vec<String>,
    #[schemars(range(min = 1, max = 100))]
    pub points: u32,
}

/// A test of what a student knows, with engine-computed answer keys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Assessment {
    #[serde(default = "current_version")]
    #[schemars(range(min = 1, max = SCHEMA_VERSION))]
    pub schema_version: u32,
    #[schemars(length(min = 1))]
    pub title: String,
    pub kind: AssessmentKind,
    pub level: Level,
    pub topic: String,
    #[schemars(length(min = 1))]
    pub questions: Vec<Question>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PlanStep {
    #[schemars(range(min = 1, max = 180))]
    pub minutes: u32,
    pub activity: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Activity {
    pub title: String,
    #[schemars(range(min = 1, max = 180))]
    pub minutes: u32,
    /// Whole class, small groups, pairs or individual.
    pub grouping: String,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RubricRow {
    pub criterion: String,
    /// Descriptions from lowest to highest performance.
    pub levels: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SubjectConnection {
    pub subject: String,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TechnologyTool {
    pub name: String,
    pub purpose: String,
}

/// One part of a teacher's lesson plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "part", rename_all = "snake_case")]
pub enum LessonPlanPart {
    LessonPlan {
        objectives: Vec<String>,
        materials: Vec<String>,
        sequence: Vec<PlanStep>,
    },
    Activities {
        activities: Vec<Activity>,
    },
    AssessmentStrategies {
        formative: Vec<String>,
        summative: Vec<String>,
        rubric: Vec<RubricRow>,
    },
    Differentiation {
        support: Vec<String>,
        extension: Vec<String>,
        english_learners: Vec<String>,
        accommodations: Vec<String>,
    },
    CrossCurricularConnections {
        connections: Vec<SubjectConnection>,
    },
    ReflectionQuestions {
        questions: Vec<String>,
    },
    ParentCommunication {
        subject: String,
        message: String,
        home_activities: Vec<String>,
    },
    TechnologyIntegration {
        tools: Vec<TechnologyTool>,
    },
    CulturallyResponsiveTeaching {
        practices: Vec<String>,
        repertoire: Vec<String>,
    },
}

impl LessonPlanPart {
    /// The part's name, as its `part` tag is written.
    pub fn name(&self) -> &'static str {
        match self {
            LessonPlanPart::LessonPlan { .. } => "lesson_plan",
            LessonPlanPart::Activities { .. } => "activities",
            LessonPlanPart::AssessmentStrategies { .. } => "assessment_strategies",
            LessonPlanPart::Differentiation { .. } => "differentiation",
            LessonPlanPart::CrossCurricularConnections { .. } => "cross_curricular_connections",
            LessonPlanPart::ReflectionQuestions { .. } => "reflection_questions",
            LessonPlanPart::ParentCommunication { .. } => "parent_communication",
            LessonPlanPart::TechnologyIntegration { .. } => "technology_integration",
            LessonPlanPart::CulturallyResponsiveTeaching { .. } => "culturally_responsive_teaching",
        }
    }
}

/// A lesson-plan part for a grade, aligned to NCAS music standards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LessonPlanDocument {
    #[serde(default = "current_version")]
    #[schemars(range(min = 1, max = SCHEMA_VERSION))]
    pub schema_version: u32,
    pub title: String,
    pub topic: String,
    /// NCAS grade band: "PK", "K" or "1" to "8".
    pub grade: String,
    /// NCAS music codes for that grade, e.g. "MU:Cr1.1.3a".
    #[schemars(length(min = 1), inner(pattern(pattern::STANDARD_CODE)))]
    pub standards: Vec<String>,
    pub content: LessonPlanPart,
}
