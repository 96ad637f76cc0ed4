//! Finding a municipality from what a person typed in a search field, so a form can offer a
//! text field with suggestions (an HTML `datalist`, no JavaScript needed) instead of one
//! list of 300 options.
//!
//! Decisions:
//! - accepted: the NIS code (`11002`), the label the suggestions show (`Antwerpen (11002)`), or
//!   the name itself, without regard to capitals, accents, hyphens or extra spaces
//!   (`puurs sint amands`);
//! - a part of a name is never guessed into a municipality: the answer names up to five
//!   municipalities whose name contains what was typed ("Bedoelt u ...?"), so the person
//!   chooses;
//! - an empty field means "none" (the form decides whether that is allowed).

/// How many municipalities a "Bedoelt u" answer names at most.
pub const MAX_SUGGESTIONS: usize = 5;

/// The label of a municipality in the suggestions: `Antwerpen (11002)`.
pub fn label(name: &str, nis: i32) -> String {
    format!("{name} ({nis})")
}

/// The NIS code of the municipality of `choices` (NIS code, name) that `typed` names; `None`
/// for an empty field; else why not, in Dutch, with suggestions.
pub fn find(typed: &str, choices: &[(i32, &str)]) -> Result<Option<i32>, String> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Ok(None);
    }
    let code = typed
        .strip_suffix(')')
        .and_then(|rest| rest.rsplit_once('('))
        .map_or(typed, |(_, inner)| inner.trim());
    if let Ok(nis) = code.parse::<i32>() {
        return choices
            .iter()
            .find(|(n, _)| *n == nis)
            .map(|(n, _)| Some(*n))
            .ok_or_else(|| {
                format!(
                    "Er is geen gemeente met NIS-code {nis}. Typ de naam of de NIS-code van \
                     een bestaande gemeente, bv. Antwerpen of 11002."
                )
            });
    }
    let wanted = normalise(typed);
    if let Some((nis, _)) = choices.iter().find(|(_, name)| normalise(name) == wanted) {
        return Ok(Some(*nis));
    }
    let mut close: Vec<&(i32, &str)> = choices
        .iter()
        .filter(|(_, name)| !wanted.is_empty() && normalise(name).contains(&wanted))
        .collect();
    close.sort_by_key(|(_, name)| normalise(name));
    let shown: Vec<String> = close
        .iter()
        .take(MAX_SUGGESTIONS)
        .map(|(nis, name)| label(name, *nis))
        .collect();
    Err(if shown.is_empty() {
        format!(
            "Er is geen gemeente met de naam \"{typed}\". Typ de naam of de NIS-code van een \
             bestaande gemeente, bv. Antwerpen of 11002."
        )
    } else {
        format!(
            "\"{typed}\" is geen volledige gemeentenaam. Bedoelt u {}? Typ de volledige naam \
             of de NIS-code.",
            join_names_or(&shown)
        )
    })
}

/// `A, B of C`: the suggestions as a choice.
fn join_names_or(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} of {last}", init.join(", ")),
    }
}

/// A name as compared: lower case, without accents, hyphens and apostrophes as spaces, single
/// spaces.
fn normalise(name: &str) -> String {
    let plain: String = name
        .chars()
        .map(|c| match c {
            'à' | 'á' | 'â' | 'ä' | 'À' | 'Á' | 'Â' | 'Ä' => 'a',
            'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => 'i',
            'ò' | 'ó' | 'ô' | 'ö' | 'Ò' | 'Ó' | 'Ô' | 'Ö' => 'o',
            'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => 'u',
            'ç' | 'Ç' => 'c',
            '-' | '\'' | '’' | '.' => ' ',
            other => other.to_ascii_lowercase(),
        })
        .collect();
    plain.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHOICES: [(i32, &str); 6] = [
        (11002, "Antwerpen"),
        (12041, "Puurs-Sint-Amands"),
        (44021, "Gent"),
        (46021, "Sint-Niklaas"),
        (44083, "Deinze"),
        (57081, "Ploegsteert-Comines"),
    ];

    #[test]
    fn an_empty_field_names_no_municipality() {
        assert_eq!(find("  ", &CHOICES), Ok(None));
    }

    #[test]
    fn a_nis_code_or_the_suggested_label_finds_the_municipality() {
        assert_eq!(find("11002", &CHOICES), Ok(Some(11002)));
        assert_eq!(find("Antwerpen (11002)", &CHOICES), Ok(Some(11002)));
        assert_eq!(find(&label("Gent", 44021), &CHOICES), Ok(Some(44021)));
        let unknown = find("99999", &CHOICES).unwrap_err();
        assert!(
            unknown.starts_with("Er is geen gemeente met NIS-code 99999."),
            "{unknown}"
        );
    }

    #[test]
    fn a_name_is_found_regardless_of_capitals_accents_and_hyphens() {
        assert_eq!(find("puurs sint amands", &CHOICES), Ok(Some(12041)));
        assert_eq!(find("  GENT ", &CHOICES), Ok(Some(44021)));
        assert_eq!(find("Puurs-Sint-Amánds", &CHOICES), Ok(Some(12041)));
    }

    #[test]
    fn part_of_a_name_is_never_guessed_but_suggested() {
        let sint = find("sint", &CHOICES).unwrap_err();
        assert_eq!(
            sint,
            "\"sint\" is geen volledige gemeentenaam. Bedoelt u Puurs-Sint-Amands (12041) of \
             Sint-Niklaas (46021)? Typ de volledige naam of de NIS-code."
        );
        let nothing = find("Brussel", &CHOICES).unwrap_err();
        assert!(
            nothing.starts_with("Er is geen gemeente met de naam \"Brussel\"."),
            "{nothing}"
        );
    }

    #[test]
    fn at_most_five_suggestions_are_named() {
        let many: Vec<(i32, String)> = (0..8).map(|i| (10_000 + i, format!("Dorp {i}"))).collect();
        let choices: Vec<(i32, &str)> = many.iter().map(|(n, s)| (*n, s.as_str())).collect();
        let answer = find("dorp", &choices).unwrap_err();
        assert_eq!(answer.matches("(1000").count(), MAX_SUGGESTIONS, "{answer}");
    }
}
