//! Yearly rounds (issue 21, item 3): a call has a round per project year, with its own
//! submission window, envelope and amounts per unit.
//!
//! - The first round is the call's own window (or the first project year's, when it has one);
//!   a later project year is a round only when it has a window of its own.
//! - A municipality that starts a dossier during a round applies from that round's project year
//!   on; a dossier that continues needs no new application (its project years already run on).
//! - A cooperation may take in a new member during a later round of its dossier's project years;
//!   the member takes part from that year on, and the rules (thresholds, incentive) are checked
//!   again with it.
//! - Amounts per unit may change from a project year on: the amount of the year applies, earlier
//!   years keep theirs, also for a dossier submitted before the change.

use chrono::{DateTime, Utc};

use super::money::Cents;
use super::time;
use super::window::{CallWindow, Refusal};

/// One round: the project year it is for and its submission window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    pub year: u16,
    pub window: CallWindow,
}

/// A project year of a call with its own window, if it has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct YearWindow {
    pub year: u16,
    pub opens_at: Option<DateTime<Utc>>,
    pub closes_at: Option<DateTime<Utc>>,
}

/// A call's rounds, by project year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rounds {
    rounds: Vec<Round>,
}

/// Why a dossier cannot be submitted in the round that is open now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoundProblem {
    /// No round takes submissions now.
    Closed(Refusal),
    /// The dossier starts in a project year whose round is over.
    YearStarted { first_year: u16, round_year: u16 },
}

impl RoundProblem {
    /// A Dutch sentence about call `title`.
    pub fn explain(self, title: &str) -> String {
        match self {
            Self::Closed(refusal) => refusal.explain(title),
            Self::YearStarted {
                first_year,
                round_year,
            } => format!(
                "De ronde voor projectjaar {first_year} is voorbij; nu loopt de ronde voor projectjaar {round_year}. Kies bij 'Algemeen' projectjaar {round_year} als eerste projectjaar en dien dan in."
            ),
        }
    }
}

/// Why a cooperation cannot take in a member now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinRefusal {
    /// No later round of the dossier's project years takes submissions now.
    NoLaterRound,
}

impl JoinRefusal {
    pub fn explain(self, last_year: u16) -> String {
        match self {
            Self::NoLaterRound => format!(
                "Een nieuwe gemeente kan enkel in de samenwerking stappen tijdens de indieningsperiode van een volgende ronde (een later projectjaar, tot en met projectjaar {last_year})."
            ),
        }
    }
}

impl Rounds {
    /// The rounds of a call whose own window is `call` and whose project years are `years` (in
    /// any order): the first project year is a round with its own window or else the call's;
    /// a later year is a round only with a complete window of its own. The admin's open/closed
    /// state of the call applies to every round.
    pub fn new(call: CallWindow, years: &[YearWindow]) -> Self {
        let mut sorted: Vec<YearWindow> = years.to_vec();
        sorted.sort_by_key(|y| y.year);
        let first = sorted.first().map_or(1, |y| y.year);
        let mut rounds: Vec<Round> = sorted
            .iter()
            .filter_map(|y| match (y.opens_at, y.closes_at) {
                (Some(opens_at), Some(closes_at)) => Some(Round {
                    year: y.year,
                    window: CallWindow {
                        open: call.open,
                        opens_at,
                        closes_at,
                    },
                }),
                _ if y.year == first => Some(Round {
                    year: y.year,
                    window: call,
                }),
                _ => None,
            })
            .collect();
        if rounds.is_empty() {
            rounds.push(Round {
                year: first,
                window: call,
            });
        }
        Self { rounds }
    }

    /// Every round, by project year.
    pub fn all(&self) -> &[Round] {
        &self.rounds
    }

    /// The round of project year `year`, if that year has one.
    pub fn of_year(&self, year: u16) -> Option<&Round> {
        self.rounds.iter().find(|r| r.year == year)
    }

    /// The round taking submissions at `now` (the latest, should windows overlap).
    pub fn current(&self, now: DateTime<Utc>) -> Option<&Round> {
        self.rounds.iter().rev().find(|r| r.window.is_open_at(now))
    }

    /// The next round to open after `now`, if any.
    pub fn next(&self, now: DateTime<Utc>) -> Option<&Round> {
        self.rounds
            .iter()
            .filter(|r| r.window.opens_at > now)
            .min_by_key(|r| r.window.opens_at)
    }

    /// The round that speaks for the call at `now`: the one taking submissions, else the next
    /// to open, else the last.
    pub fn relevant(&self, now: DateTime<Utc>) -> Round {
        self.current(now)
            .or_else(|| self.next(now))
            .or_else(|| self.rounds.last())
            .copied()
            .unwrap_or(Round {
                year: 1,
                window: CallWindow {
                    open: false,
                    opens_at: now,
                    closes_at: now,
                },
            })
    }

    /// Whether a new dossier can be started at `now`, and from which project year: the year of
    /// the round taking submissions.
    pub fn start_year(&self, now: DateTime<Utc>) -> Result<u16, Refusal> {
        match self.current(now) {
            Some(round) => Ok(round.year),
            None => self
                .relevant(now)
                .window
                .accepts_new_dossiers(now)
                .map(|()| self.relevant(now).year),
        }
    }

    /// Whether a draft starting in project year `first_year` can be submitted at `now`
    /// (`late_until`: the later deadline ABB gave this dossier). During a round the dossier may
    /// not start in a project year whose round is over.
    pub fn accepts_submission(
        &self,
        first_year: u16,
        now: DateTime<Utc>,
        late_until: Option<DateTime<Utc>>,
    ) -> Result<(), RoundProblem> {
        if late_until.is_some_and(|until| now <= until) {
            return Ok(());
        }
        match self.current(now) {
            Some(round) if first_year < round.year => Err(RoundProblem::YearStarted {
                first_year,
                round_year: round.year,
            }),
            Some(_) => Ok(()),
            None => {
                let round = self
                    .of_year(first_year)
                    .copied()
                    .unwrap_or(self.relevant(now));
                round
                    .window
                    .accepts(now, late_until)
                    .map_err(RoundProblem::Closed)
            }
        }
    }

    /// The project year from which a cooperation whose dossier runs from `first` to `last` can
    /// take in a new member at `now`: the year of a later round taking submissions.
    pub fn joining_year(
        &self,
        first: u16,
        last: u16,
        now: DateTime<Utc>,
    ) -> Result<u16, JoinRefusal> {
        self.current(now)
            .filter(|r| r.year > first && r.year <= last)
            .map(|r| r.year)
            .ok_or(JoinRefusal::NoLaterRound)
    }
}

/// Checks the first project year of a draft at the time of the round taking submissions
/// (`round_year`, none when no round is open): a year whose round is over cannot be chosen.
pub fn check_first_year(first: i32, round_year: Option<u16>) -> Result<(), String> {
    match round_year {
        Some(round) if first < i32::from(round) => Err(format!(
            "De ronde voor projectjaar {first} is voorbij: nu loopt de ronde voor projectjaar {round}. Kies projectjaar {round} of later als eerste projectjaar."
        )),
        _ => Ok(()),
    }
}

/// Whether the lead may take back a member during the round of project year `round_year` of a
/// decided cooperation: only one it invited in that round and that has not answered yet; the
/// members the decision counted stay.
pub fn may_take_back(joined_in_year: Option<i32>, answered: bool, round_year: u16) -> bool {
    joined_in_year == Some(i32::from(round_year)) && !answered
}

/// A round's window as a Dutch phrase: "van 26 mei 2023 om 00:00 tot 10 juli 2023 om 12:00".
pub fn window_phrase(round: &Round) -> String {
    format!(
        "van {} tot {}",
        time::moment_long(round.window.opens_at),
        time::moment_long(round.window.closes_at)
    )
}

/// The amount per unit of a line in project year `year`: the change of the latest year up to
/// `year`, else the line's own amount (`changes`: project year from which an amount applies).
pub fn amount_in_year(base: Cents, changes: &[(u16, Cents)], year: u16) -> Cents {
    changes
        .iter()
        .filter(|(from, _)| *from <= year)
        .max_by_key(|(from, _)| *from)
        .map_or(base, |(_, amount)| *amount)
}

/// Whether a member that joined in `joined_in_year` (`None`: from the start) takes part in
/// project year `year`.
pub fn takes_part(joined_in_year: Option<u16>, year: u16) -> bool {
    joined_in_year.is_none_or(|joined| joined <= year)
}

/// What a decision grants an action in a project year whose request differs from the first
/// year's (the amount per unit changed): the same share of that year's request as the decision
/// grants of the first year's, rounded down to the cent. A full grant stays full.
pub fn grant_in_year(granted: Cents, requested_first: Cents, requested_year: Cents) -> Cents {
    if requested_first == Cents::ZERO {
        return Cents::ZERO;
    }
    if granted >= requested_first {
        return requested_year;
    }
    let share = i128::from(granted.get()) * i128::from(requested_year.get())
        / i128::from(requested_first.get());
    i64::try_from(share)
        .ok()
        .and_then(Cents::new)
        .unwrap_or(requested_year)
}

/// A problem with a round or an amount an admin typed: the field and a Dutch message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundFieldProblem {
    pub field: &'static str,
    pub message: String,
}

fn problem(field: &'static str, message: impl Into<String>) -> RoundFieldProblem {
    RoundFieldProblem {
        field,
        message: message.into(),
    }
}

/// Checks the project year an admin chose for a round or an amount: one of the call's
/// `years`, after the first (the first round is the call's own window, and the first year's
/// amount is the line's own).
pub fn check_later_year(typed: &str, years: &[u16]) -> Result<u16, RoundFieldProblem> {
    let first = years.iter().min().copied().unwrap_or(1);
    match typed.trim().parse::<u16>() {
        Ok(year) if years.contains(&year) && year > first => Ok(year),
        _ => Err(problem(
            "year",
            format!(
                "Kies een later projectjaar van de oproep (na projectjaar {first}); de eerste ronde is de indieningsperiode van de oproep zelf."
            ),
        )),
    }
}

/// Checks a later round's window: it closes after it opens, and after the first round closed
/// (`first_closes`), so that a new dossier always knows its project year.
pub fn check_round_window(
    opens: DateTime<Utc>,
    closes: DateTime<Utc>,
    first_closes: DateTime<Utc>,
) -> Result<(), RoundFieldProblem> {
    if closes <= opens {
        return Err(problem(
            "moment",
            "Het einde van de ronde ligt na het begin.",
        ));
    }
    if opens <= first_closes {
        return Err(problem(
            "opens",
            format!(
                "Een latere ronde begint na de eerste, die sluit op {}.",
                time::moment_long(first_closes)
            ),
        ));
    }
    Ok(())
}

/// Checks a changed amount per unit: more than zero and different from what the year has now.
pub fn check_amount(amount: Cents, current: Cents) -> Result<(), RoundFieldProblem> {
    if amount == Cents::ZERO {
        return Err(problem(
            "amount",
            "Geef een bedrag per eenheid groter dan 0.",
        ));
    }
    if amount == current {
        return Err(problem(
            "amount",
            format!("Het bedrag per eenheid is in dat projectjaar al {current}."),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 10, 0, 0).unwrap()
    }

    fn euros(e: i64) -> Cents {
        Cents::from_euros(e).unwrap()
    }

    /// The real call's three rounds: 2022 (the call's window), 26 May - 10 July 2023 and
    /// 22 April - 6 May 2024.
    fn real_call(open: bool) -> Rounds {
        let call = CallWindow {
            open,
            opens_at: at(2022, 4, 15),
            closes_at: at(2022, 7, 1),
        };
        Rounds::new(
            call,
            &[
                YearWindow {
                    year: 3,
                    opens_at: Some(at(2024, 4, 22)),
                    closes_at: Some(at(2024, 5, 6)),
                },
                YearWindow {
                    year: 1,
                    opens_at: None,
                    closes_at: None,
                },
                YearWindow {
                    year: 2,
                    opens_at: Some(at(2023, 5, 26)),
                    closes_at: Some(at(2023, 7, 10)),
                },
            ],
        )
    }

    #[test]
    fn the_first_round_is_the_calls_window_and_later_years_bring_their_own() {
        let rounds = real_call(true);
        let years: Vec<u16> = rounds.all().iter().map(|r| r.year).collect();
        assert_eq!(years, vec![1, 2, 3]);
        assert_eq!(rounds.of_year(1).unwrap().window.closes_at, at(2022, 7, 1));
        assert_eq!(rounds.of_year(2).unwrap().window.opens_at, at(2023, 5, 26));
    }

    #[test]
    fn a_later_year_without_a_window_of_its_own_is_no_round() {
        let call = CallWindow {
            open: true,
            opens_at: at(2027, 1, 11),
            closes_at: at(2027, 3, 1),
        };
        let rounds = Rounds::new(
            call,
            &[
                YearWindow {
                    year: 1,
                    opens_at: None,
                    closes_at: None,
                },
                YearWindow {
                    year: 2,
                    opens_at: Some(at(2028, 1, 1)),
                    closes_at: None,
                },
            ],
        );
        assert_eq!(rounds.all().len(), 1);
        assert_eq!(rounds.of_year(1).unwrap().window, call);
    }

    #[test]
    fn a_new_dossier_starts_in_the_year_of_the_round_that_is_open() {
        let rounds = real_call(true);
        assert_eq!(rounds.start_year(at(2022, 5, 1)), Ok(1));
        assert_eq!(rounds.start_year(at(2023, 6, 1)), Ok(2));
        assert_eq!(rounds.start_year(at(2024, 5, 1)), Ok(3));
        assert_eq!(
            rounds.start_year(at(2023, 1, 1)),
            Err(Refusal::NotYet {
                opens_at: at(2023, 5, 26)
            })
        );
        assert_eq!(
            rounds.start_year(at(2025, 1, 1)),
            Err(Refusal::Passed {
                deadline: at(2024, 5, 6)
            })
        );
    }

    #[test]
    fn a_closed_call_takes_no_round() {
        let rounds = real_call(false);
        assert_eq!(rounds.current(at(2023, 6, 1)), None);
        assert_eq!(rounds.start_year(at(2023, 6, 1)), Err(Refusal::NotOpen));
    }

    #[test]
    fn a_draft_submits_in_its_round_and_not_for_a_year_whose_round_is_over() {
        let rounds = real_call(true);
        assert_eq!(rounds.accepts_submission(1, at(2022, 6, 1), None), Ok(()));
        assert_eq!(rounds.accepts_submission(2, at(2023, 6, 1), None), Ok(()));
        let problem = rounds
            .accepts_submission(1, at(2023, 6, 1), None)
            .unwrap_err();
        assert_eq!(
            problem,
            RoundProblem::YearStarted {
                first_year: 1,
                round_year: 2
            }
        );
        assert!(
            problem
                .explain("Provisie Samenleven")
                .contains("Kies bij 'Algemeen' projectjaar 2 als eerste projectjaar")
        );
        assert_eq!(
            rounds.accepts_submission(2, at(2023, 8, 1), None),
            Err(RoundProblem::Closed(Refusal::Passed {
                deadline: at(2023, 7, 10)
            }))
        );
        // ABB's later deadline for one dossier holds whatever the round.
        assert_eq!(
            rounds.accepts_submission(1, at(2022, 7, 5), Some(at(2022, 7, 8))),
            Ok(())
        );
    }

    #[test]
    fn a_cooperation_takes_in_members_only_during_a_later_round_of_its_years() {
        let rounds = real_call(true);
        assert_eq!(rounds.joining_year(1, 3, at(2023, 6, 1)), Ok(2));
        assert_eq!(rounds.joining_year(1, 3, at(2024, 5, 1)), Ok(3));
        assert_eq!(
            rounds.joining_year(1, 3, at(2022, 6, 1)),
            Err(JoinRefusal::NoLaterRound)
        );
        assert_eq!(
            rounds.joining_year(1, 1, at(2023, 6, 1)),
            Err(JoinRefusal::NoLaterRound)
        );
        assert_eq!(
            rounds.joining_year(1, 3, at(2023, 9, 1)),
            Err(JoinRefusal::NoLaterRound)
        );
        assert!(
            JoinRefusal::NoLaterRound
                .explain(3)
                .contains("tot en met projectjaar 3")
        );
    }

    #[test]
    fn the_amount_of_the_year_applies_and_earlier_years_keep_theirs() {
        let changes = [(2, euros(25_000))];
        assert_eq!(amount_in_year(euros(12_500), &changes, 1), euros(12_500));
        assert_eq!(amount_in_year(euros(12_500), &changes, 2), euros(25_000));
        assert_eq!(amount_in_year(euros(12_500), &changes, 3), euros(25_000));
        let twice = [(3, euros(30_000)), (2, euros(25_000))];
        assert_eq!(amount_in_year(euros(12_500), &twice, 3), euros(30_000));
        assert_eq!(amount_in_year(euros(12_500), &[], 3), euros(12_500));
    }

    #[test]
    fn an_admin_sets_rounds_and_amounts_only_for_later_years_with_sound_values() {
        assert_eq!(check_later_year("2", &[1, 2, 3]), Ok(2));
        assert_eq!(check_later_year(" 3 ", &[1, 2, 3]), Ok(3));
        for bad in ["1", "4", "", "twee"] {
            let p = check_later_year(bad, &[1, 2, 3]).unwrap_err();
            assert_eq!(p.field, "year");
            assert!(p.message.contains("na projectjaar 1"), "{}", p.message);
        }
        let first_closes = at(2022, 7, 1);
        assert_eq!(
            check_round_window(at(2023, 5, 26), at(2023, 7, 10), first_closes),
            Ok(())
        );
        assert_eq!(
            check_round_window(at(2023, 7, 10), at(2023, 5, 26), first_closes)
                .unwrap_err()
                .field,
            "moment"
        );
        assert_eq!(
            check_round_window(at(2022, 6, 1), at(2023, 7, 10), first_closes)
                .unwrap_err()
                .field,
            "opens"
        );
        assert_eq!(check_amount(euros(25_000), euros(12_500)), Ok(()));
        assert!(
            check_amount(euros(12_500), euros(12_500))
                .unwrap_err()
                .message
                .contains("al € 12.500,00")
        );
        assert_eq!(
            check_amount(Cents::ZERO, euros(1)).unwrap_err().field,
            "amount"
        );
    }

    #[test]
    fn a_draft_cannot_start_in_a_year_whose_round_is_over() {
        assert_eq!(check_first_year(1, None), Ok(()));
        assert_eq!(check_first_year(2, Some(2)), Ok(()));
        assert_eq!(check_first_year(3, Some(2)), Ok(()));
        let refused = check_first_year(1, Some(2)).unwrap_err();
        assert!(refused.contains("Kies projectjaar 2 of later"), "{refused}");
    }

    #[test]
    fn during_a_later_round_the_lead_takes_back_only_an_unanswered_invitation_of_that_round() {
        assert!(may_take_back(Some(2), false, 2));
        assert!(!may_take_back(Some(2), true, 2), "it answered");
        assert!(
            !may_take_back(None, false, 2),
            "a member the decision counted"
        );
        assert!(
            !may_take_back(Some(2), false, 3),
            "invited in an earlier round"
        );
    }

    #[test]
    fn a_member_takes_part_from_the_year_it_joined() {
        assert!(takes_part(None, 1));
        assert!(!takes_part(Some(2), 1));
        assert!(takes_part(Some(2), 2));
        assert!(takes_part(Some(2), 3));
    }

    #[test]
    fn a_decision_grants_the_same_share_of_a_years_changed_request() {
        // Full grant: each year its own request.
        assert_eq!(
            grant_in_year(euros(12_500), euros(12_500), euros(25_000)),
            euros(25_000)
        );
        // Half granted in year 1: half of year 2's request.
        assert_eq!(
            grant_in_year(euros(6_250), euros(12_500), euros(25_000)),
            euros(12_500)
        );
        // Rounded down to the cent.
        assert_eq!(
            grant_in_year(
                Cents::new(1).unwrap(),
                Cents::new(3).unwrap(),
                Cents::new(2).unwrap()
            ),
            Cents::ZERO
        );
        assert_eq!(
            grant_in_year(Cents::ZERO, Cents::ZERO, euros(10)),
            Cents::ZERO
        );
    }
}
