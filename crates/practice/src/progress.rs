//! Progress from a student's answers: totals, the days practised in a row, mastery by
//! skill and answers by day, for the charts.

use std::collections::BTreeMap;

use serde::Serialize;
use ts_rs::TS;

use crate::item::Skill;

const DAY: i64 = 86_400;

/// One answer as the history keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct Answered {
    pub item: i64,
    pub skill: Skill,
    pub at: i64,
    pub correct: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SkillMastery {
    pub skill: Skill,
    /// Items of the skill whose latest answer was right, of all the skill's items.
    #[ts(type = "number")]
    pub mastered: usize,
    #[ts(type = "number")]
    pub items: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct DayCount {
    /// The day, `YYYY-MM-DD` in the student's time zone.
    pub day: String,
    #[ts(type = "number")]
    pub answered: usize,
    #[ts(type = "number")]
    pub correct: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Progress {
    #[ts(type = "number")]
    pub answered: usize,
    #[ts(type = "number")]
    pub correct: usize,
    /// Days practised in a row, up to today (or yesterday, before today's practice).
    pub streak_days: u32,
    pub mastery: Vec<SkillMastery>,
    /// The last 30 days, oldest first.
    pub days: Vec<DayCount>,
}

/// The day number of a time, in a zone `offset` seconds east of UTC.
fn day_of(at: i64, offset: i64) -> i64 {
    (at + offset).div_euclid(DAY)
}

/// `YYYY-MM-DD` for a day number (days since 1970-01-01).
pub fn date_of_day(day: i64) -> String {
    // Howard Hinnant's civil-from-days.
    let z = day + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// A Unix time as RFC 3339 in UTC: `2026-12-06T15:04:05Z`.
pub fn rfc3339(at: i64) -> String {
    let seconds = at.rem_euclid(DAY);
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        date_of_day(at.div_euclid(DAY)),
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    )
}

/// Progress at `now` from `answers` (any order) over `items` (every assigned item's skill).
pub fn progress(answers: &[Answered], items: &[(i64, Skill)], now: i64, offset: i64) -> Progress {
    let mut latest: BTreeMap<i64, (i64, bool)> = BTreeMap::new();
    for answer in answers {
        let entry = latest
            .entry(answer.item)
            .or_insert((answer.at, answer.correct));
        if answer.at >= entry.0 {
            *entry = (answer.at, answer.correct);
        }
    }
    let mastery = Skill::ALL
        .into_iter()
        .filter_map(|skill| {
            let of_skill: Vec<i64> = items
                .iter()
                .filter(|(_, s)| *s == skill)
                .map(|(id, _)| *id)
                .collect();
            (!of_skill.is_empty()).then(|| SkillMastery {
                skill,
                mastered: of_skill
                    .iter()
                    .filter(|id| latest.get(id).is_some_and(|(_, correct)| *correct))
                    .count(),
                items: of_skill.len(),
            })
        })
        .collect();
    let today = day_of(now, offset);
    let mut by_day: BTreeMap<i64, (usize, usize)> = BTreeMap::new();
    for answer in answers {
        let count = by_day.entry(day_of(answer.at, offset)).or_default();
        count.0 += 1;
        count.1 += usize::from(answer.correct);
    }
    let mut streak_days = 0;
    let mut day = if by_day.contains_key(&today) {
        today
    } else {
        today - 1
    };
    while by_day.contains_key(&day) {
        streak_days += 1;
        day -= 1;
    }
    let days = (today - 29..=today)
        .map(|day| {
            let (answered, correct) = by_day.get(&day).copied().unwrap_or_default();
            DayCount {
                day: date_of_day(day),
                answered,
                correct,
            }
        })
        .collect();
    Progress {
        answered: answers.len(),
        correct: answers.iter().filter(|a| a.correct).count(),
        streak_days,
        mastery,
        days,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOON: i64 = 1_800_000_000 / DAY * DAY + DAY / 2;

    fn answer(item: i64, days_ago: i64, correct: bool) -> Answered {
        Answered {
            item,
            skill: Skill::Spelling,
            at: NOON - days_ago * DAY,
            correct,
        }
    }

    #[test]
    fn days_in_a_row_count_to_today_or_yesterday() {
        let answers = [
            answer(1, 0, true),
            answer(1, 1, false),
            answer(2, 2, true),
            answer(2, 4, true),
        ];
        let items = [
            (1, Skill::Spelling),
            (2, Skill::Spelling),
            (3, Skill::Intervals),
        ];
        let today = progress(&answers, &items, NOON, 0);
        assert_eq!(today.streak_days, 3);
        assert_eq!((today.answered, today.correct), (4, 3));
        // Before today's practice the streak still stands from yesterday.
        let yesterday_only = progress(&answers[1..], &items, NOON, 0);
        assert_eq!(yesterday_only.streak_days, 2);
        assert_eq!(today.days.len(), 30);
        assert_eq!(today.days.last().unwrap().answered, 1);
    }

    #[test]
    fn mastery_counts_items_whose_latest_answer_was_right() {
        let answers = [answer(1, 1, false), answer(1, 0, true), answer(2, 0, false)];
        let items = [
            (1, Skill::Spelling),
            (2, Skill::Spelling),
            (3, Skill::Intervals),
        ];
        let mastery = progress(&answers, &items, NOON, 0).mastery;
        assert_eq!(mastery[0].skill, Skill::Spelling);
        assert_eq!((mastery[0].mastered, mastery[0].items), (1, 2));
        assert_eq!((mastery[1].mastered, mastery[1].items), (0, 1));
    }

    #[test]
    fn a_time_zone_moves_the_day_boundary() {
        assert_eq!(date_of_day(0), "1970-01-01");
        assert_eq!(date_of_day(20_000), "2024-10-04");
        assert_eq!(rfc3339(1_800_000_000), "2027-01-15T08:00:00Z");
        let late = Answered {
            at: NOON + DAY / 2 - 60,
            ..answer(1, 0, true)
        };
        let east = progress(
            std::slice::from_ref(&late),
            &[(1, Skill::Spelling)],
            late.at,
            3600,
        );
        assert_eq!(east.days.last().unwrap().answered, 1);
        assert_ne!(
            east.days.last().unwrap().day,
            progress(
                std::slice::from_ref(&late),
                &[(1, Skill::Spelling)],
                late.at,
                0
            )
            .days
            .last()
            .unwrap()
            .day
        );
    }
}
