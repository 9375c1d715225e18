//! Whether removing an operation is allowed, as a pure function of what the old version said
//! (deprecated, sunset date) and the date of the comparison: no clock inside, so a diff gives
//! the same answer on every day it is given the same date.

use chrono::NaiveDate;

/// How an operation's removal is judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removal {
    /// It was not deprecated first: breaking.
    WithoutDeprecation,
    /// It was deprecated, and its sunset date (if any) has passed.
    AfterDeprecation,
    /// It was deprecated, but removed before its sunset date: breaking.
    BeforeSunset(NaiveDate),
    /// It was deprecated with a sunset that is not a date, so nobody can tell whether the
    /// notice has run out: breaking until the document says a date.
    UnreadableSunset,
}

/// Judges the removal of an operation that was `deprecated` with this `sunset` (as written),
/// on `today`.
pub fn judge_removal(deprecated: bool, sunset: Option<&str>, today: NaiveDate) -> Removal {
    if !deprecated {
        return Removal::WithoutDeprecation;
    }
    match sunset.map(parse_date) {
        None => Removal::AfterDeprecation,
        Some(None) => Removal::UnreadableSunset,
        Some(Some(date)) if date > today => Removal::BeforeSunset(date),
        Some(Some(_)) => Removal::AfterDeprecation,
    }
}

/// How the sunset date of an operation that stays deprecated changed, when that is a problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SunsetChange {
    /// The date was dropped.
    Deleted,
    /// The date moved earlier: users get less time than they were promised.
    Earlier {
        /// The old date.
        from: NaiveDate,
        /// The new date.
        to: NaiveDate,
    },
}

/// Judges the sunset dates (as written) of an operation deprecated on both sides. Dates that
/// do not parse are treated as absent; a later date, a new date or the same date is fine.
pub fn judge_sunset_change(old: Option<&str>, new: Option<&str>) -> Option<SunsetChange> {
    match (old.and_then(parse_date), new.and_then(parse_date)) {
        (Some(_), None) => Some(SunsetChange::Deleted),
        (Some(from), Some(to)) if to < from => Some(SunsetChange::Earlier { from, to }),
        _ => None,
    }
}

/// Parses an ISO date (`2026-01-31`, or the date of an ISO date-time) or an HTTP date
/// (`Sat, 31 Jan 2026 00:00:00 GMT`, as the `Sunset` header of RFC 8594 gives it).
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    if let Some(day) = text.get(..10)
        && let Ok(date) = NaiveDate::parse_from_str(day, "%Y-%m-%d")
    {
        return Some(date);
    }
    chrono::DateTime::parse_from_rfc2822(text)
        .ok()
        .map(|moment| moment.date_naive())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        parse_date(text).unwrap_or_else(|| panic!("{text} is a date"))
    }

    #[test]
    fn dates_parse_in_iso_and_http_forms() {
        assert_eq!(date("2026-01-31"), date("Sat, 31 Jan 2026 00:00:00 GMT"));
        assert_eq!(date("2026-01-31T12:00:00Z"), date("2026-01-31"));
        assert_eq!(parse_date("soon"), None);
        assert_eq!(parse_date("2026-02-30"), None);
    }

    #[test]
    fn every_branch_of_a_sunset_change() {
        assert_eq!(
            judge_sunset_change(Some("2027-01-01"), None),
            Some(SunsetChange::Deleted)
        );
        assert_eq!(
            judge_sunset_change(Some("2027-01-01"), Some("2026-12-01")),
            Some(SunsetChange::Earlier {
                from: date("2027-01-01"),
                to: date("2026-12-01")
            })
        );
        assert_eq!(
            judge_sunset_change(Some("2027-01-01"), Some("2027-02-01")),
            None
        );
        assert_eq!(judge_sunset_change(None, Some("2027-02-01")), None);
        assert_eq!(judge_sunset_change(Some("someday"), None), None);
    }

    #[test]
    fn every_branch_of_a_removal() {
        let today = date("2026-06-01");
        assert_eq!(
            judge_removal(false, Some("2027-01-01"), today),
            Removal::WithoutDeprecation
        );
        assert_eq!(judge_removal(true, None, today), Removal::AfterDeprecation);
        assert_eq!(
            judge_removal(true, Some("2026-06-01"), today),
            Removal::AfterDeprecation,
            "the sunset day itself ends the notice"
        );
        assert_eq!(
            judge_removal(true, Some("2026-06-02"), today),
            Removal::BeforeSunset(date("2026-06-02"))
        );
        assert_eq!(
            judge_removal(true, Some("not a date"), today),
            Removal::UnreadableSunset
        );
    }
}
