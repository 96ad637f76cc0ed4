//! A reviewer's saved inbox filters: a name and the inbox's query, so the usual selections
//! ("mijn dossiers met bevindingen", "West-Vlaanderen, over de termijn") are one click away.
//!
//! Decisions:
//! - a filter belongs to one staff member, who alone sees, uses and deletes it;
//! - saving under a name that exists replaces that filter's query (no duplicates to choose
//!   between); names are compared without regard to capitals and surrounding spaces;
//! - at most [`MAX_PER_USER`] filters per person, names of at most [`MAX_NAME_CHARS`]
//!   characters without control characters.

use super::dutch::format_count;

/// The longest name of a saved filter.
pub const MAX_NAME_CHARS: usize = 60;

/// How many filters one person keeps at most.
pub const MAX_PER_USER: usize = 20;

/// The name of a filter as typed, trimmed; else why not, in Dutch.
pub fn read_name(typed: &str) -> Result<String, String> {
    let name = typed.trim();
    if name.is_empty() {
        return Err("Geef de filter een naam, bv. \"Mijn dossiers met bevindingen\".".into());
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(format!(
            "De naam telt hoogstens {} tekens; u typte er {}.",
            format_count(MAX_NAME_CHARS as u64),
            format_count(name.chars().count() as u64)
        ));
    }
    if name.chars().any(char::is_control) {
        return Err("De naam mag geen regeleinden of stuurtekens bevatten.".into());
    }
    Ok(name.to_owned())
}

/// Whether two names are the same filter's.
pub fn same_name(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// Whether a person with `existing` filters may save one more (`replacing`: under a name they
/// already use, which does not add one); else why not, in Dutch.
pub fn may_save(existing: usize, replacing: bool) -> Result<(), String> {
    if replacing || existing < MAX_PER_USER {
        Ok(())
    } else {
        Err(format!(
            "U bewaarde al {} filters, het maximum. Verwijder er eerst een.",
            format_count(MAX_PER_USER as u64)
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_trimmed_and_must_be_there() {
        assert_eq!(
            read_name("  Mijn dossiers "),
            Ok("Mijn dossiers".to_owned())
        );
        assert!(
            read_name("   ")
                .unwrap_err()
                .starts_with("Geef de filter een naam")
        );
    }

    #[test]
    fn a_name_is_short_and_on_one_line() {
        assert_eq!(
            read_name(&"x".repeat(MAX_NAME_CHARS)).map(|n| n.len()),
            Ok(60)
        );
        assert_eq!(
            read_name(&"x".repeat(61)),
            Err("De naam telt hoogstens 60 tekens; u typte er 61.".to_owned())
        );
        assert!(read_name("twee\nregels").is_err());
    }

    #[test]
    fn names_differing_in_capitals_are_one_filter() {
        assert!(same_name("West-Vlaanderen", " west-vlaanderen"));
        assert!(!same_name("West", "Oost"));
    }

    #[test]
    fn a_person_keeps_at_most_twenty_filters_but_may_always_replace_one() {
        assert_eq!(may_save(19, false), Ok(()));
        assert!(may_save(20, false).unwrap_err().contains("al 20 filters"));
        assert_eq!(may_save(20, true), Ok(()));
    }
}
