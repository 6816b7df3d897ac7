//! Today's practice: the due items of the lessons a student may practise, new ones rationed,
//! in a bounded list. A curriculum's lesson opens when the lessons it builds on are passed:
//! enough of their items (the pass threshold, 80% by default) last answered right.

use std::collections::{BTreeMap, BTreeSet};

use crate::schedule::Schedule;

/// The most items one day's session holds, and the most of them new.
pub const SESSION_ITEMS: usize = 20;
pub const NEW_ITEMS: usize = 10;
/// The share of a lesson's items that must be right for the lesson to be passed.
pub const DEFAULT_PASS_THRESHOLD: f64 = 0.8;
const DAY: i64 = 86_400;

/// An assigned item as the session sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub id: i64,
    /// The curriculum lesson the item comes from; None for a tutorial assigned on its own.
    pub lesson: Option<i64>,
    pub schedule: Schedule,
    /// Whether the latest answer was right (None before the first).
    pub last_correct: Option<bool>,
    /// When the item was first answered (None before the first).
    pub first_answered: Option<i64>,
}

/// A lesson's place in its curriculum.
#[derive(Debug, Clone, PartialEq)]
pub struct Lesson {
    pub id: i64,
    pub prerequisites: Vec<i64>,
    pub pass_threshold: f64,
}

/// Lessons whose items are passed at their threshold.
pub fn passed_lessons(candidates: &[Candidate], lessons: &[Lesson]) -> BTreeSet<i64> {
    let mut counts: BTreeMap<i64, (usize, usize)> = BTreeMap::new();
    for candidate in candidates {
        if let Some(lesson) = candidate.lesson {
            let count = counts.entry(lesson).or_default();
            count.0 += 1;
            count.1 += usize::from(candidate.last_correct == Some(true));
        }
    }
    lessons
        .iter()
        .filter(|lesson| {
            counts.get(&lesson.id).is_some_and(|(items, right)| {
                *items > 0 && (*right as f64) >= lesson.pass_threshold * (*items as f64)
            })
        })
        .map(|lesson| lesson.id)
        .collect()
}

/// Lessons not yet open: some prerequisite is not passed.
pub fn locked_lessons(candidates: &[Candidate], lessons: &[Lesson]) -> BTreeSet<i64> {
    let passed = passed_lessons(candidates, lessons);
    lessons
        .iter()
        .filter(|lesson| lesson.prerequisites.iter().any(|p| !passed.contains(p)))
        .map(|lesson| lesson.id)
        .collect()
}

/// Today's items at `now`, in order: due reviews first (the longest overdue first), then new
/// items in the order they were assigned, at most `limit` in all and `new_limit` new in any
/// 24 hours (items first answered in the last day count against it).
pub fn todays_items(
    candidates: &[Candidate],
    lessons: &[Lesson],
    now: i64,
    limit: usize,
    new_limit: usize,
) -> Vec<i64> {
    let locked = locked_lessons(candidates, lessons);
    let introduced = candidates
        .iter()
        .filter(|c| c.first_answered.is_some_and(|at| at > now - DAY))
        .count();
    let open = |c: &&Candidate| c.lesson.is_none_or(|lesson| !locked.contains(&lesson));
    let mut reviews: Vec<&Candidate> = candidates
        .iter()
        .filter(open)
        .filter(|c| !c.schedule.is_new() && c.schedule.due <= now)
        .collect();
    reviews.sort_by_key(|c| (c.schedule.due, c.id));
    let fresh = candidates
        .iter()
        .filter(open)
        .filter(|c| c.schedule.is_new())
        .take(new_limit.saturating_sub(introduced));
    reviews
        .into_iter()
        .chain(fresh)
        .take(limit)
        .map(|c| c.id)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::{Rating, review};

    const NOW: i64 = 1_800_000_000;

    fn candidate(id: i64, lesson: i64) -> Candidate {
        Candidate {
            id,
            lesson: Some(lesson),
            schedule: Schedule::new(NOW),
            last_correct: None,
            first_answered: None,
        }
    }

    fn lessons() -> Vec<Lesson> {
        vec![
            Lesson {
                id: 1,
                prerequisites: vec![],
                pass_threshold: 0.8,
            },
            Lesson {
                id: 2,
                prerequisites: vec![1],
                pass_threshold: 0.8,
            },
        ]
    }

    #[test]
    fn a_lesson_opens_when_the_one_before_is_passed() {
        let mut items: Vec<Candidate> = (1..=5).map(|id| candidate(id, 1)).collect();
        items.push(candidate(6, 2));
        let today = todays_items(&items, &lessons(), NOW, 20, 10);
        assert_eq!(today, [1, 2, 3, 4, 5], "lesson 2 waits for lesson 1");
        // Four of five right is 80%: lesson 1 is passed and lesson 2 opens.
        for item in &mut items[..4] {
            item.schedule = review(&item.schedule, Rating::Good, NOW).unwrap();
            item.last_correct = Some(true);
        }
        assert_eq!(passed_lessons(&items, &lessons()), BTreeSet::from([1]));
        let today = todays_items(&items, &lessons(), NOW, 20, 10);
        assert_eq!(today, [5, 6]);
    }

    #[test]
    fn due_reviews_come_first_and_the_session_is_bounded() {
        let mut items: Vec<Candidate> = (1..=30)
            .map(|id| Candidate {
                lesson: None,
                ..candidate(id, 0)
            })
            .collect();
        items[29].schedule = review(&items[29].schedule, Rating::Again, NOW - 86_400).unwrap();
        let today = todays_items(&items, &[], NOW, 20, 10);
        assert_eq!(today.len(), 11, "one review and ten new");
        assert_eq!(today[0], 30);
        // Answered right, an item is not due again today.
        items[0].schedule = review(&items[0].schedule, Rating::Good, NOW).unwrap();
        assert!(!todays_items(&items, &[], NOW, 20, 30).contains(&1));
        // Ten new items answered today: no more new ones until tomorrow.
        for item in &mut items[..10] {
            item.schedule = review(&item.schedule, Rating::Good, NOW).unwrap();
            item.first_answered = Some(NOW);
        }
        assert_eq!(todays_items(&items, &[], NOW + 60, 20, 10), [30]);
        assert_eq!(todays_items(&items, &[], NOW + DAY + 60, 20, 10).len(), 11);
    }
}
