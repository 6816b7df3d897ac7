//! Practice for students, offline: items drawn from the lessons a teacher assigns
//! ([`item`]), answers judged by the theory engine ([`score`]), FSRS spaced repetition
//! ([`schedule`]) and today's bounded session with lessons opening in order ([`session`]),
//! notes from a MIDI keyboard ([`midi`]) and progress ([`progress`]). Nothing here touches
//! the network, a model or the database: the Studio stores what these compute.

pub mod assessment;
pub mod item;
pub mod midi;
pub mod progress;
pub mod schedule;
pub mod score;
pub mod session;

pub use item::{Item, Skill, items_from_music};
pub use schedule::{Rating, Schedule};
pub use score::{ScoreError, Scored, score, score_played};
