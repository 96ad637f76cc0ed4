//! Reading what an applicant typed into a dossier's sections: one reader per section, shared by
//! the HTML forms and the JSON API, so both refuse the same input with the same Dutch message per
//! field. Pure: the readers take text as typed and the call's project years, nothing else.

use chrono::NaiveDate;

use crate::domain::text::{self, Lines};
use crate::domain::types::parse_whole_number;
use crate::domain::{Cents, KpiDirection, KpiValue, ParseError, Reach};

/// The longest free text a field takes.
pub const MAX_TEXT: usize = 5000;

/// Field errors: one Dutch message per field, the first one kept.
#[derive(Debug, Clone, Default)]
pub struct FieldErrors {
    pub items: Vec<FieldError>,
}

#[derive(Debug, Clone)]
pub struct FieldError {
    /// The field the message belongs to (the form input's `id`).
    pub field: String,
    pub message: String,
}

impl FieldErrors {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        if !self.has(field) {
            self.items.push(FieldError {
                field: field.to_owned(),
                message: message.into(),
            });
        }
    }

    pub fn has(&self, field: &str) -> bool {
        self.items.iter().any(|e| e.field == field)
    }

    /// The message for `field`, or an empty string (templates test `is_empty`).
    pub fn get(&self, field: &str) -> &str {
        self.items
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
            .unwrap_or("")
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

/// A free text that may span lines (a summary, a description): trimmed, required when
/// `required`, at most [`MAX_TEXT`] characters, no control characters ([`text::check`]).
pub fn text(
    value: &str,
    field: &str,
    label: &str,
    required: bool,
    errors: &mut FieldErrors,
) -> String {
    read_text(value, field, label, required, Lines::Many, errors)
}

/// A one-line text (a title, a name, a unit): as [`text`], and no line breaks or tabs.
pub fn line(
    value: &str,
    field: &str,
    label: &str,
    required: bool,
    errors: &mut FieldErrors,
) -> String {
    read_text(value, field, label, required, Lines::One, errors)
}

fn read_text(
    value: &str,
    field: &str,
    label: &str,
    required: bool,
    lines: Lines,
    errors: &mut FieldErrors,
) -> String {
    let value = value.trim();
    if let Err(err) = text::check(value, lines) {
        errors.add(field, err.to_string());
    } else if required && value.is_empty() {
        errors.add(field, format!("Vul {label} in."));
    } else if value.chars().count() > MAX_TEXT {
        errors.add(
            field,
            format!(
                "{} mag hoogstens {} tellen.",
                capitalise(label),
                super::dutch::characters(MAX_TEXT)
            ),
        );
    }
    value.to_owned()
}

/// A KPI value as typed (`12,5`), in thousandths as stored; a Dutch message prefixed with
/// `label` otherwise, also for a value too large to store ([`KpiValue::MAX`]). The dossier's KPI
/// plan and the progress report read their values here.
pub fn kpi_value(typed: &str, field: &str, label: &str, errors: &mut FieldErrors) -> Option<i64> {
    let read = KpiValue::parse(typed).and_then(|v| {
        v.stored()
            .ok_or_else(|| ParseError::TooLarge(KpiValue::MAX.to_string()))
    });
    match read {
        Ok(v) => Some(v),
        Err(e) => {
            errors.add(field, format!("{label}: {e}"));
            None
        }
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
        .unwrap_or_default()
}

/// A date as typed: `2023-09-30`, `30-09-2023`, `30/09/2023` or `30.09.2023` (see
/// [`super::time::parse_date`]).
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    super::time::parse_date(text).ok()
}

// ------------------------------------------------------------------ general information

/// The general information as typed.
#[derive(Debug, Clone, Default)]
pub struct GeneralInput {
    pub title: String,
    pub summary: String,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub first_project_year: String,
    pub last_project_year: String,
}

/// The general information, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct General {
    pub title: String,
    pub summary: String,
    pub contact_name: String,
    pub contact_email: String,
    /// Empty when not given.
    pub contact_phone: String,
    pub first_project_year: i32,
    pub last_project_year: i32,
}

/// Reads the general information; `project_years` are the call's project year numbers.
pub fn read_general(
    input: &GeneralInput,
    project_years: &[i32],
    errors: &mut FieldErrors,
) -> Option<General> {
    let title = line(&input.title, "title", "een titel", true, errors);
    let summary = text(
        &input.summary,
        "summary",
        "een korte samenvatting",
        true,
        errors,
    );
    let contact_name = line(
        &input.contact_name,
        "contact_name",
        "de naam van de contactpersoon",
        true,
        errors,
    );
    let contact_email = match crate::domain::email::read(&input.contact_email) {
        Ok(e) => e,
        Err(e) => {
            errors.add("contact_email", e.to_string());
            String::new()
        }
    };
    let contact_phone = input.contact_phone.trim().to_owned();
    if contact_phone
        .chars()
        .any(|c| !(c.is_ascii_digit() || " +()/.-".contains(c)))
        || contact_phone.len() > 30
    {
        errors.add(
            "contact_phone",
            "Vul een telefoonnummer in met cijfers, bijvoorbeeld 03 123 45 67.",
        );
    }
    let mut year = |text: &str, field: &str| match text.trim().parse::<i32>() {
        Ok(y) if project_years.contains(&y) => Some(y),
        _ => {
            errors.add(field, "Kies een projectjaar van de oproep.");
            None
        }
    };
    let first = year(&input.first_project_year, "first_project_year");
    let last = year(&input.last_project_year, "last_project_year");
    if let (Some(f), Some(l)) = (first, last)
        && l < f
    {
        errors.add(
            "last_project_year",
            "Het laatste projectjaar kan niet vóór het eerste liggen.",
        );
    }
    match (first, last) {
        (Some(first_project_year), Some(last_project_year)) if errors.is_empty() => Some(General {
            title,
            summary,
            contact_name,
            contact_email,
            contact_phone,
            first_project_year,
            last_project_year,
        }),
        _ => None,
    }
}

// ------------------------------------------------------------------ actions

/// One chosen action's reach, money and description as typed.
#[derive(Debug, Clone, Default)]
pub struct ActionInput {
    pub priority: String,
    pub baseline_reach: String,
    pub planned_reach: String,
    pub own_contribution: String,
    /// Staff time valued in euro; empty means none.
    pub own_staff: String,
    pub description: String,
    pub partners: String,
}

/// One chosen action, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionFields {
    pub priority: u32,
    pub baseline_reach: Reach,
    pub planned_reach: Reach,
    pub own_contribution: Cents,
    /// Own contribution in staff time valued in euro.
    pub own_staff: Cents,
    pub description: String,
    /// Empty when not given.
    pub partners: String,
}

pub fn read_action(input: &ActionInput, errors: &mut FieldErrors) -> Option<ActionFields> {
    let priority = match parse_whole_number(&input.priority, u64::from(MAX_PRIORITY)) {
        Ok(p) if p >= 1 => u32::try_from(p).ok(),
        Err(e @ ParseError::TooLarge(_)) => {
            errors.add("priority", e.to_string());
            None
        }
        _ => {
            errors.add(
                "priority",
                "Vul een prioriteit in als geheel getal vanaf 1 (1 is het belangrijkst).",
            );
            None
        }
    };
    let mut reach = |text: &str, field: &str, label: &str| match Reach::parse(text) {
        Ok(r) => Some(r),
        Err(e) => {
            errors.add(field, format!("{label}: {e}"));
            None
        }
    };
    let baseline = reach(&input.baseline_reach, "baseline_reach", "Huidig bereik");
    let planned = reach(&input.planned_reach, "planned_reach", "Gepland bereik");
    let own = match Cents::parse(&input.own_contribution) {
        Ok(c) => Some(c),
        Err(e) => {
            errors.add("own_contribution", format!("Eigen inbreng in geld: {e}"));
            None
        }
    };
    let own_staff = if input.own_staff.trim().is_empty() {
        Some(Cents::ZERO)
    } else {
        match Cents::parse(&input.own_staff) {
            Ok(c) => Some(c),
            Err(e) => {
                errors.add("own_staff", format!("Eigen inbreng in personeel: {e}"));
                None
            }
        }
    };
    let description = text(
        &input.description,
        "description",
        "een beschrijving van de actie",
        true,
        errors,
    );
    let partners = text(&input.partners, "partners", "de partners", false, errors);
    match (priority, baseline, planned, own, own_staff) {
        (
            Some(priority),
            Some(baseline_reach),
            Some(planned_reach),
            Some(own_contribution),
            Some(own_staff),
        ) if errors.is_empty() => Some(ActionFields {
            priority,
            baseline_reach,
            planned_reach,
            own_contribution,
            own_staff,
            description,
            partners,
        }),
        _ => None,
    }
}

/// Refuses a planned reach above the call's maximum for the action (`max_reach` of
/// `unit_label`): such a save is not taken, so the form never says "bewaard" over a reach the
/// call does not fund.
pub fn reach_within_maximum(
    planned: Reach,
    max_reach: u32,
    unit_label: &str,
    errors: &mut FieldErrors,
) {
    if planned.get() > max_reach {
        errors.add(
            "planned_reach",
            format!(
                "Gepland bereik: hoogstens {max_reach} {unit_label} in deze oproep; u vulde \
                 {planned} in."
            ),
        );
    }
}

/// The highest priority number an action takes.
pub const MAX_PRIORITY: u32 = 999;

/// A number from the API (JSON) as the forms would show it, so it goes through the forms'
/// readers: whole numbers digit for digit however large (`9300000000000000`), others in
/// decimal notation with a decimal comma (`12,5`; never an exponent).
pub fn number_as_typed(value: &serde_json::Number) -> String {
    if let Some(n) = value.as_i64() {
        n.to_string()
    } else if let Some(n) = value.as_u64() {
        n.to_string()
    } else {
        format!("{}", value.as_f64().unwrap_or_default()).replace('.', ",")
    }
}

/// An amount in cents from the API as the forms show it in euros (`1234,56` for `123456`), so
/// it goes through the forms' amount reader: negative amounts keep their sign, amounts beyond
/// [`Cents::MAX`] (however large) and fractions of a cent are refused by it.
pub fn cents_as_typed(cents: &serde_json::Number) -> String {
    let digits = number_as_typed(cents).replace(',', ".");
    let (sign, digits) = match digits.strip_prefix('-') {
        Some(rest) => ("-", rest.to_owned()),
        None => ("", digits),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits.as_str(), ""));
    let whole = format!("{whole:0>3}");
    let (euros, cents) = whole.split_at(whole.len() - 2);
    let euros = euros.trim_start_matches('0');
    let euros = if euros.is_empty() { "0" } else { euros };
    format!("{sign}{euros},{cents}{fraction}")
}

// ------------------------------------------------------------------ KPIs

/// A KPI as typed.
#[derive(Debug, Clone, Default)]
pub struct KpiInput {
    pub indicator: String,
    pub unit: String,
    pub baseline: String,
    pub target: String,
    pub target_date: String,
    pub measurement: String,
    /// `rising` or `falling`; empty reads as rising (the API may leave it out).
    pub direction: String,
}

/// A KPI, read; values in thousandths as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KpiFields {
    pub indicator: String,
    pub unit: String,
    pub baseline: i64,
    pub target: i64,
    pub target_date: NaiveDate,
    pub measurement: String,
    pub direction: KpiDirection,
}

pub fn read_kpi(input: &KpiInput, errors: &mut FieldErrors) -> Option<KpiFields> {
    let indicator = line(&input.indicator, "indicator", "de indicator", true, errors);
    let unit = line(&input.unit, "unit", "de eenheid", true, errors);
    let measurement = line(
        &input.measurement,
        "measurement",
        "hoe u meet",
        true,
        errors,
    );
    let baseline = kpi_value(&input.baseline, "baseline", "Nulmeting", errors);
    let target = kpi_value(&input.target, "target", "Streefwaarde", errors);
    let target_date = parse_date(&input.target_date);
    if target_date.is_none() {
        errors.add("target_date", "Vul een datum in, bijvoorbeeld 30-09-2023.");
    }
    let direction = match input.direction.trim() {
        "" => Some(KpiDirection::Rising),
        code => KpiDirection::parse(code),
    };
    if direction.is_none() {
        errors.add(
            "direction",
            "Kies of de waarde moet stijgen (bv. bereikte personen) of dalen (bv. meldingen van \
             straatintimidatie).",
        );
    }
    Some(KpiFields {
        indicator,
        unit,
        baseline: baseline?,
        target: target?,
        target_date: target_date?,
        measurement,
        direction: direction?,
    })
    .filter(|_| errors.is_empty())
}

/// Why a KPI's `target` is not an improvement on its `baseline` in the KPI's `direction`: the
/// application's rule (`RuleId::KpiTarget` in the checks), applied when the KPI is saved rather
/// than accepted and blocked at submission. Both values in thousandths, as stored.
/// [`check_target`] adds it to the form's errors.
pub fn target_problem(baseline: i64, target: i64, direction: KpiDirection) -> Option<String> {
    let shown = |v: i64| KpiValue::from_thousandths(u64::try_from(v).unwrap_or(0));
    (!direction.improves(baseline, target)).then(|| {
        format!(
            "Streefwaarde: deze KPI moet {}, dus de streefwaarde ({}) moet {} liggen dan de \
             nulmeting ({}).",
            direction.label(),
            shown(target),
            direction.comparative(),
            shown(baseline)
        )
    })
}

/// Adds [`target_problem`] of a read KPI to `errors`, on the target field.
pub fn check_target(kpi: &KpiFields, errors: &mut FieldErrors) {
    if let Some(problem) = target_problem(kpi.baseline, kpi.target, kpi.direction) {
        errors.add("target", problem);
    }
}

// ------------------------------------------------------------------ declarations

/// The declarations an applicant accepts before submitting: field name and text.
pub const DECLARATIONS: [(&str, &str); 3] = [
    (
        "truthful",
        "Ik verklaar dat de gegevens in dit dossier juist en volledig zijn.",
    ),
    (
        "mandate",
        "Ik ben gemachtigd om dit dossier in te dienen namens mijn bestuur (beslissing van de gemeenteraad of het college in bijlage).",
    ),
    (
        "cofinancing",
        "Mijn bestuur brengt de eigen inbreng (cofinanciering) in zoals in de begroting vermeld, en rapporteert over de KPI's.",
    ),
];

/// Whether every declaration is accepted; `given` follows the order of [`DECLARATIONS`].
pub fn read_declarations(given: [bool; 3], errors: &mut FieldErrors) -> bool {
    for (given, (name, _)) in given.iter().zip(DECLARATIONS) {
        if !given {
            errors.add(name, "Vink deze verklaring aan om te kunnen indienen.");
        }
    }
    given.iter().all(|g| *g)
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_rising_kpi_target_at_or_below_its_baseline_is_refused_when_saved() {
        let rising = KpiDirection::Rising;
        assert_eq!(target_problem(10_000, 20_000, rising), None);
        for (baseline, target) in [(40_000, 30_000), (10_000, 10_000)] {
            let problem = target_problem(baseline, target, rising).expect("refused");
            assert!(problem.contains("hoger"), "{problem}");
        }
        assert_eq!(
            target_problem(10_000, 9_500, rising).unwrap(),
            "Streefwaarde: deze KPI moet stijgen, dus de streefwaarde (9,5) moet hoger liggen dan \
             de nulmeting (10)."
        );
    }

    #[test]
    fn a_falling_kpi_needs_a_target_below_its_baseline() {
        let falling = KpiDirection::Falling;
        assert_eq!(
            target_problem(40_000, 30_000, falling),
            None,
            "fewer reports"
        );
        assert_eq!(
            target_problem(40_000, 40_000, falling).unwrap(),
            "Streefwaarde: deze KPI moet dalen, dus de streefwaarde (40) moet lager liggen dan de \
             nulmeting (40)."
        );
        assert!(target_problem(40_000, 45_000, falling).is_some());
    }

    #[test]
    fn a_kpi_direction_is_rising_unless_said_otherwise_and_must_be_known() {
        let input = |direction: &str| KpiInput {
            indicator: "Meldingen van straatintimidatie".into(),
            unit: "meldingen".into(),
            baseline: "40".into(),
            target: "30".into(),
            target_date: "30-09-2023".into(),
            measurement: "Politieregistratie".into(),
            direction: direction.into(),
        };
        let mut errors = FieldErrors::default();
        let read = read_kpi(&input("falling"), &mut errors).expect("read");
        assert_eq!(read.direction, KpiDirection::Falling);
        let read = read_kpi(&input(""), &mut errors).expect("read");
        assert_eq!(read.direction, KpiDirection::Rising);
        assert!(read_kpi(&input("zijwaarts"), &mut errors).is_none());
        assert!(
            errors
                .get("direction")
                .starts_with("Kies of de waarde moet stijgen")
        );
    }

    #[test]
    fn a_planned_reach_above_the_maximum_is_refused_on_its_field() {
        let mut errors = FieldErrors::default();
        reach_within_maximum(Reach::new(3), 3, "trajecten", &mut errors);
        assert!(errors.is_empty());
        reach_within_maximum(Reach::new(9), 3, "trajecten", &mut errors);
        assert_eq!(errors.items.len(), 1);
        assert_eq!(errors.items[0].field, "planned_reach");
        assert!(errors.items[0].message.contains("hoogstens 3 trajecten"));
    }

    use super::*;

    fn general() -> GeneralInput {
        GeneralInput {
            title: "Samen in Antwerpen".into(),
            summary: "Taalcoaching".into(),
            contact_name: "An Peeters".into(),
            contact_email: " An@Antwerpen.be ".into(),
            contact_phone: "03 123 45 67".into(),
            first_project_year: "1".into(),
            last_project_year: "2".into(),
        }
    }

    #[test]
    fn complete_general_information_is_read_and_the_email_normalised() {
        let mut errors = FieldErrors::default();
        let read = read_general(&general(), &[1, 2, 3], &mut errors).unwrap();
        assert!(errors.is_empty());
        assert_eq!(read.contact_email, "an@antwerpen.be");
        assert_eq!((read.first_project_year, read.last_project_year), (1, 2));
    }

    #[test]
    fn general_information_with_bad_fields_gets_a_message_per_field() {
        let mut input = general();
        input.title = " ".into();
        input.contact_email = "geen-adres".into();
        input.contact_phone = "bel me".into();
        input.first_project_year = "3".into();
        input.last_project_year = "9".into();
        let mut errors = FieldErrors::default();
        assert!(read_general(&input, &[1, 2, 3], &mut errors).is_none());
        assert_eq!(errors.get("title"), "Vul een titel in.");
        assert!(errors.get("contact_email").contains("geldig e-mailadres"));
        assert!(errors.get("contact_phone").contains("telefoonnummer"));
        assert_eq!(errors.get("first_project_year"), "");
        assert_eq!(
            errors.get("last_project_year"),
            "Kies een projectjaar van de oproep."
        );
    }

    #[test]
    fn the_last_project_year_cannot_precede_the_first() {
        let mut input = general();
        input.first_project_year = "2".into();
        input.last_project_year = "1".into();
        let mut errors = FieldErrors::default();
        assert!(read_general(&input, &[1, 2], &mut errors).is_none());
        assert!(errors.get("last_project_year").contains("vóór"));
    }

    #[test]
    fn an_action_needs_a_priority_a_reach_an_amount_and_a_description() {
        let mut errors = FieldErrors::default();
        let input = ActionInput {
            priority: "0".into(),
            baseline_reach: "veel".into(),
            planned_reach: "120".into(),
            own_contribution: "-5".into(),
            own_staff: "een halve voltijdse".into(),
            description: String::new(),
            partners: String::new(),
        };
        assert!(read_action(&input, &mut errors).is_none());
        for field in [
            "priority",
            "baseline_reach",
            "own_contribution",
            "own_staff",
            "description",
        ] {
            assert!(errors.has(field), "{field}");
        }
        assert!(!errors.has("planned_reach"));
    }

    fn json(text: &str) -> serde_json::Number {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn amounts_and_numbers_from_the_api_read_as_the_forms_read_them() {
        let cents = |text: &str| Cents::parse(&cents_as_typed(&json(text)));
        assert_eq!(cents("123456"), Ok(Cents::new(123_456).unwrap()));
        assert_eq!(cents("5").map(Cents::get), Ok(5));
        assert_eq!(cents("0").map(Cents::get), Ok(0));
        assert_eq!(cents("100000000000"), Ok(Cents::MAX));
        assert_eq!(cents("-100"), Err(ParseError::AmountNegative));
        assert_eq!(cents("12.5"), Err(ParseError::AmountDecimals));
        for huge in [
            "100000000001",
            "9223372036854775807",
            "18446744073709551615",
            "1e30",
        ] {
            assert!(
                matches!(cents(huge), Err(ParseError::TooLarge(_))),
                "{huge}: {:?}",
                cents(huge)
            );
        }
        let kpi = |text: &str| KpiValue::parse(&number_as_typed(&json(text)));
        assert_eq!(kpi("12.5").map(KpiValue::thousandths), Ok(12_500));
        assert_eq!(kpi("12").map(KpiValue::thousandths), Ok(12_000));
        assert!(kpi("-1").is_err());
        assert!(kpi("0.0001").is_err());
        for huge in ["9300000000000000", "1e30", "18446744073709551615"] {
            assert!(matches!(kpi(huge), Err(ParseError::TooLarge(_))), "{huge}");
        }
    }

    #[test]
    fn a_kpi_value_too_large_to_store_is_a_field_error_never_nothing() {
        let mut errors = FieldErrors::default();
        assert_eq!(
            kpi_value("18.446.744.073.709.551,615", "actual_1", "KPI", &mut errors),
            None
        );
        assert_eq!(
            errors.get("actual_1"),
            "KPI: Dit getal is te groot: hoogstens 1.000.000.000."
        );
        let mut errors = FieldErrors::default();
        assert_eq!(
            kpi_value("1.000.000.000", "actual_1", "KPI", &mut errors),
            Some(1_000_000_000_000)
        );
        assert!(errors.is_empty());
    }

    #[test]
    fn every_number_of_an_action_says_when_it_is_too_large() {
        let input = ActionInput {
            priority: "99999999999999999999".into(),
            baseline_reach: "4294967295".into(),
            planned_reach: "4.294.967.296".into(),
            own_contribution: "92.233.720.368.547.758,07".into(),
            own_staff: String::new(),
            description: "Taalcoaching".into(),
            partners: String::new(),
        };
        let mut errors = FieldErrors::default();
        assert!(read_action(&input, &mut errors).is_none());
        for field in [
            "priority",
            "baseline_reach",
            "planned_reach",
            "own_contribution",
        ] {
            assert!(
                errors.get(field).contains("Dit getal is te groot"),
                "{field}: {}",
                errors.get(field)
            );
        }
        assert!(
            errors
                .get("own_contribution")
                .contains("€ 1.000.000.000,00")
        );
    }

    #[test]
    fn text_with_control_characters_or_a_line_break_in_a_one_line_field_is_refused() {
        let mut input = general();
        input.title = "Samen\r\nleven".into();
        input.summary = "Twee\r\nregels\tmet tab.".into();
        input.contact_name = "An\u{0}Peeters".into();
        let mut errors = FieldErrors::default();
        assert!(read_general(&input, &[1, 2, 3], &mut errors).is_none());
        assert!(errors.get("title").contains("op één regel"));
        assert!(errors.get("contact_name").contains("stuurteken"));
        assert_eq!(errors.get("summary"), "", "a summary may have lines");
        let mut errors = FieldErrors::default();
        text(
            "a\u{7f}",
            "description",
            "een beschrijving",
            true,
            &mut errors,
        );
        assert!(errors.get("description").contains("stuurteken"));
    }

    #[test]
    fn the_contact_email_is_read_as_a_mail_provider_would() {
        for bad in ["evil@example.com>", "a\"b@example.com", "x@[127.0.0.1]"] {
            let mut input = general();
            input.contact_email = bad.into();
            let mut errors = FieldErrors::default();
            assert!(read_general(&input, &[1, 2, 3], &mut errors).is_none());
            assert!(
                errors.get("contact_email").contains("geldig e-mailadres"),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_kpi_with_an_unreadable_date_or_value_is_refused() {
        let mut errors = FieldErrors::default();
        let input = KpiInput {
            indicator: "Deelnemers".into(),
            unit: "personen".into(),
            baseline: "0".into(),
            target: "twaalf".into(),
            target_date: "morgen".into(),
            measurement: "Telling".into(),
            direction: String::new(),
        };
        assert!(read_kpi(&input, &mut errors).is_none());
        assert!(errors.get("target").starts_with("Streefwaarde: "));
        assert!(errors.has("target_date"));
    }

    #[test]
    fn every_declaration_must_be_ticked() {
        let mut errors = FieldErrors::default();
        assert!(!read_declarations([true, false, true], &mut errors));
        assert!(errors.has("mandate"));
        assert!(!errors.has("truthful"));
        assert!(read_declarations([true; 3], &mut FieldErrors::default()));
    }
}
