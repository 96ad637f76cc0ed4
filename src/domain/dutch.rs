//! Dutch (Belgian) number formatting for the sentences the rules engine writes.
//!
//! Thousands are separated by a dot (`7.500`), decimals by a comma (`15,00%`). Shares are
//! truncated, never rounded up, so a share below a threshold can never be displayed as
//! reaching it (14,999% is shown as `14,99%`).

/// Formats a whole number with a dot as thousands separator: `71234` becomes `71.234`.
pub fn format_count(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    let first = digits.len() % 3;
    for (index, ch) in digits.chars().enumerate() {
        if index != 0 && (index + 3 - first).is_multiple_of(3) {
            out.push('.');
        }
        out.push(ch);
    }
    out
}

/// A count with its noun in the right number: `1 dossier`, `3 dossiers`, `0 dossiers`, `1.250 dossiers`.
pub fn counted(value: u64, one: &str, many: &str) -> String {
    format!(
        "{} {}",
        format_count(value),
        if value == 1 { one } else { many }
    )
}

/// Formats a signed whole number with a dot as thousands separator (`-1.250`).
pub fn format_signed(value: i64) -> String {
    if value < 0 {
        format!("-{}", format_count(value.unsigned_abs()))
    } else {
        format_count(value.unsigned_abs())
    }
}

/// Formats hundredths of a percent (basis points) as a Dutch percentage: `1500` becomes `15,00%`.
pub fn format_basis_points(basis_points: u64) -> String {
    format!(
        "{},{:02}%",
        format_count(basis_points / 100),
        basis_points % 100
    )
}

/// Formats `numerator / denominator` as a Dutch percentage with two decimals, truncated:
/// `1499 / 10000` becomes `14,99%`. A zero denominator gives `?`.
pub fn format_share(numerator: u64, denominator: u64) -> String {
    match share_basis_points_floor(numerator, denominator) {
        Some(bp) => format_basis_points(bp),
        None => "?".to_owned(),
    }
}

/// `numerator / denominator` in basis points (hundredths of a percent), rounded down.
/// `None` when the denominator is zero.
pub fn share_basis_points_floor(numerator: u64, denominator: u64) -> Option<u64> {
    if denominator == 0 {
        return None;
    }
    let bp = u128::from(numerator) * 10_000 / u128::from(denominator);
    Some(u64::try_from(bp).unwrap_or(u64::MAX))
}

/// Joins names the Dutch way: `A`, `A en B`, `A, B en C`.
pub fn join_names<S: AsRef<str>>(names: &[S]) -> String {
    match names {
        [] => String::new(),
        [one] => one.as_ref().to_owned(),
        [init @ .., last] => {
            let head: Vec<&str> = init.iter().map(AsRef::as_ref).collect();
            format!("{} en {}", head.join(", "), last.as_ref())
        }
    }
}

/// Formats a date the Dutch way: `1 oktober 2022`.
/// A moment as people in Flanders read it: Brussels time (CET/CEST), `01-07-2022 23:59`.
pub fn format_moment(at: chrono::DateTime<chrono::Utc>) -> String {
    crate::domain::time::moment_short(at)
}

/// The day in Brussels of a moment, `01-07-2022`: a deadline at 23:59 Brussels time is shown
/// on its own day, not on the next one as in UTC.
pub fn format_moment_day(at: chrono::DateTime<chrono::Utc>) -> String {
    crate::domain::time::date_short(crate::domain::time::brussels_date(at))
}

/// An amount of euro cents the Belgian way, negative amounts too: `€ 1.234,50`, `€ -12,00`.
pub fn format_money(cents: i64) -> String {
    match crate::domain::Cents::new(cents) {
        Some(c) => c.to_string(),
        None => format!(
            "€ -{}",
            crate::domain::Cents::new(cents.checked_neg().unwrap_or(i64::MAX))
                .unwrap_or_default()
                .to_plain_string()
        ),
    }
}

/// A length limit as a message states it: `2.000 tekens`.
pub fn characters(count: usize) -> String {
    format!("{} tekens", format_count(count as u64))
}

pub fn format_date(date: chrono::NaiveDate) -> String {
    crate::domain::time::date_long(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_length_limit_groups_its_thousands() {
        assert_eq!(characters(2000), "2.000 tekens");
        assert_eq!(characters(200), "200 tekens");
    }

    #[test]
    fn a_count_takes_the_singular_only_for_one() {
        assert_eq!(counted(1, "dossier", "dossiers"), "1 dossier");
        assert_eq!(counted(0, "dossier", "dossiers"), "0 dossiers");
        assert_eq!(counted(1250, "betaling", "betalingen"), "1.250 betalingen");
    }

    #[test]
    fn moments_are_shown_in_brussels_time_in_winter_and_summer() {
        use chrono::TimeZone;
        let winter = chrono::Utc
            .with_ymd_and_hms(2022, 1, 31, 23, 30, 0)
            .unwrap();
        assert_eq!(format_moment(winter), "01-02-2022 00:30");
        assert_eq!(format_moment_day(winter), "01-02-2022");
        let summer = chrono::Utc.with_ymd_and_hms(2022, 7, 1, 21, 59, 0).unwrap();
        assert_eq!(format_moment(summer), "01-07-2022 23:59");
        assert_eq!(format_moment_day(summer), "01-07-2022");
    }

    #[test]
    fn money_is_written_the_belgian_way_also_below_zero() {
        assert_eq!(format_money(123_450), "€ 1.234,50");
        assert_eq!(format_money(0), "€ 0,00");
        assert_eq!(format_money(-1_200), "€ -12,00");
        assert!(format_money(i64::MIN).starts_with("€ -"));
    }

    #[test]
    fn counts_use_a_dot_per_thousand() {
        let table = [
            (0, "0"),
            (7, "7"),
            (999, "999"),
            (1_000, "1.000"),
            (7_500, "7.500"),
            (71_234, "71.234"),
            (529_247, "529.247"),
            (1_234_567, "1.234.567"),
        ];
        for (value, expected) in table {
            assert_eq!(format_count(value), expected, "{value}");
        }
        assert_eq!(format_signed(-1_250), "-1.250");
        assert_eq!(format_signed(1_250), "1.250");
    }

    #[test]
    fn shares_are_truncated_to_two_decimals_with_a_comma() {
        assert_eq!(format_share(15, 100), "15,00%");
        assert_eq!(format_share(1_499, 10_000), "14,99%");
        assert_eq!(format_share(14_999, 100_000), "14,99%");
        assert_eq!(format_share(2, 3), "66,66%");
        assert_eq!(format_share(1, 1), "100,00%");
        assert_eq!(format_share(1, 0), "?");
        assert_eq!(format_basis_points(6_667), "66,67%");
    }

    #[test]
    fn dates_are_written_with_dutch_month_names() {
        let date = chrono::NaiveDate::from_ymd_opt(2022, 10, 1).unwrap();
        assert_eq!(format_date(date), "1 oktober 2022");
        let date = chrono::NaiveDate::from_ymd_opt(2025, 3, 31).unwrap();
        assert_eq!(format_date(date), "31 maart 2025");
    }

    #[test]
    fn names_are_joined_with_commas_and_en() {
        assert_eq!(join_names::<&str>(&[]), "");
        assert_eq!(join_names(&["Zele"]), "Zele");
        assert_eq!(join_names(&["Zele", "Berlare"]), "Zele en Berlare");
        assert_eq!(
            join_names(&["Zele", "Berlare", "Lokeren"]),
            "Zele, Berlare en Lokeren"
        );
    }
}
