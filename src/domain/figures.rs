//! Municipalities, their reference region and their population figures.
//!
//! Every figure keeps its year, its source and whether it is a fictitious demo figure. The
//! engine only uses figures of the call's reference year; a figure of another year, or no
//! figure at all, makes a rule answer "cannot decide" rather than guess.
//!
//! # Merged municipalities ([`Merger`], [`Municipality::merged`])
//!
//! On 1 January 2025 municipalities merged (Beveren, Kruibeke and Zwijndrecht into
//! Beveren-Kruibeke-Zwijndrecht; Borsbeek into Antwerpen, which kept its NIS code). A call whose
//! map is of 2025 or later knows only the merged municipality, while figures of an earlier
//! reference year (2020) describe the former municipalities. The rule, one for every figure:
//! - a figure of a reference year **before** the merger is the **sum** of the former
//!   municipalities' figures of that year, and only when **every** one of them has such a figure;
//!   when one lacks it, the merged municipality has no figure ("cannot decide", never a guess);
//! - the figure of **one** former municipality is never used for the merged one, not even when
//!   the merged municipality continues its NIS code (Antwerpen's own 2020 figure is Antwerpen
//!   without Borsbeek);
//! - a figure of a reference year **from** the merger on describes the merged municipality
//!   itself and is used as it is.
//!
//! The verdicts say so: they name the former municipalities and their figures
//! ([`super::eligibility`]).

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::types::{NisCode, ReferenceYear, RegionCode};
use super::verdict::FigureKind;

/// One population figure of one municipality.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figure {
    /// The count (people).
    pub value: u64,
    /// The reference year it describes (population on 1 January of that year).
    pub year: ReferenceYear,
    /// Where it comes from, as shown to people (e.g. "Statbel, bevolking op 1 januari").
    pub source: String,
    /// A fictitious demo figure, not an official statistic.
    pub fictitious: bool,
}

/// A figure's source as a person reads it: the publisher and what was counted. The technical
/// provenance kept with the data (a repository, a script or a file, in brackets: "(via …)",
/// "(gegenereerd door …)", "zie seeds/…") stays in the data and `seeds/SOURCES.md`, and the
/// fictitious mark ("FICTIEF demo-cijfer") is left to the page or sentence, which add it once.
pub fn shown_source(raw: &str) -> String {
    let mut text = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(open) = rest.find('(') {
        let Some(close) = rest[open..].find(')').map(|c| c + open) else {
            break;
        };
        let inside = &rest[open + 1..close];
        text.push_str(&rest[..open]);
        if !is_technical(inside) {
            text.push_str(&rest[open..=close]);
        }
        rest = &rest[close + 1..];
    }
    text.push_str(rest);
    let lower = text.to_lowercase();
    let text = match lower.find("fictief demo-cijfer") {
        Some(at) => {
            let after =
                text[at + "fictief demo-cijfer".len()..].trim_start_matches([',', ';', ' ']);
            format!("{}{after}", &text[..at])
        }
        None => text,
    };
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .trim_matches([',', ';', ' '])
        .to_owned()
}

/// Whether the text in brackets of a source is technical provenance rather than words for people.
fn is_technical(inside: &str) -> bool {
    let lower = inside.to_lowercase();
    lower.starts_with("via ")
        || lower.contains("gegenereerd door")
        || ["seeds/", "scripts/", ".py", ".csv", ".md", "/"]
            .iter()
            .any(|t| lower.contains(t))
}

/// A municipality as the rules engine sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Municipality {
    /// NIS code.
    pub nis_code: NisCode,
    /// Dutch name.
    pub name: String,
    /// The reference region it belongs to for this call.
    pub region_code: RegionCode,
    /// The reference region's name (e.g. "Waasland").
    pub region_name: String,
    /// Total residents, if known.
    pub residents: Option<Figure>,
    /// Residents of non-EU15 origin, if known.
    pub non_eu15: Option<Figure>,
    /// The municipalities it was formed from, when it was formed by a merger whose former
    /// municipalities the call's figures still describe (see [`Municipality::merged`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merger: Option<Merger>,
}

/// A municipality formed by a merger, with the municipalities it was formed from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Merger {
    /// The merged municipality's first day (1 January 2025).
    pub merged_on: NaiveDate,
    /// The former municipalities, by NIS code, with their own figures. A merged municipality
    /// that continues the NIS code of one of them (Antwerpen) lists that one too, with its
    /// figures from before the merger.
    pub former: Vec<Former>,
}

/// A former municipality of a merger, with its own figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Former {
    /// Its NIS code.
    pub nis_code: NisCode,
    /// Its Dutch name.
    pub name: String,
    /// Its total residents, if known.
    pub residents: Option<Figure>,
    /// Its residents of non-EU15 origin, if known.
    pub non_eu15: Option<Figure>,
}

impl Former {
    /// Its figure of `kind` for `year`, if it has one of that year.
    pub fn figure(&self, kind: FigureKind, year: ReferenceYear) -> Option<&Figure> {
        match kind {
            FigureKind::NonEu15 => self.non_eu15.as_ref(),
            FigureKind::Residents => self.residents.as_ref(),
        }
        .filter(|f| f.year == year)
    }
}

/// A merged municipality's figure of one kind for one reference year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MergedFigure<'a> {
    /// The year is not before the merger: the merged municipality's own figure applies.
    Own,
    /// Every former municipality has a figure of the year: their sum.
    Sum(Figure),
    /// These former municipalities have no figure of the year, so there is no sum.
    Incomplete(Vec<&'a Former>),
}

impl Merger {
    /// Do figures of `year` (the population on 1 January) describe the municipalities from
    /// before this merger?
    pub fn predates(&self, year: ReferenceYear) -> bool {
        NaiveDate::from_ymd_opt(i32::from(year.get()), 1, 1)
            .is_some_and(|first_day| first_day < self.merged_on)
    }

    /// The merged municipality's figure of `kind` for `year`: its own when `year` is not before
    /// the merger; otherwise the sum of the former municipalities' figures, only when every one
    /// of them has a figure of that year. The sum is fictitious when any part is; its source
    /// lists the parts' distinct sources.
    pub fn figure(&self, kind: FigureKind, year: ReferenceYear) -> MergedFigure<'_> {
        if !self.predates(year) {
            return MergedFigure::Own;
        }
        let missing: Vec<&Former> = self
            .former
            .iter()
            .filter(|f| f.figure(kind, year).is_none())
            .collect();
        if !missing.is_empty() || self.former.is_empty() {
            return MergedFigure::Incomplete(missing);
        }
        let parts: Vec<&Figure> = self
            .former
            .iter()
            .filter_map(|f| f.figure(kind, year))
            .collect();
        let mut sources: Vec<&str> = Vec::new();
        for part in &parts {
            if !sources.contains(&part.source.as_str()) {
                sources.push(&part.source);
            }
        }
        MergedFigure::Sum(Figure {
            value: parts
                .iter()
                .fold(0u64, |sum, f| sum.saturating_add(f.value)),
            year,
            source: sources.join("; "),
            fictitious: parts.iter().any(|f| f.fictitious),
        })
    }
}

/// The outcome of looking up a figure for a reference year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup<'a> {
    /// The figure of the asked year.
    Found(&'a Figure),
    /// Only a figure of another year is known.
    OtherYear(ReferenceYear),
    /// No figure at all.
    Missing,
}

impl<'a> Lookup<'a> {
    /// The figure, if it is of the asked year.
    pub fn found(self) -> Option<&'a Figure> {
        match self {
            Lookup::Found(figure) => Some(figure),
            Lookup::OtherYear(_) | Lookup::Missing => None,
        }
    }

    fn of(figure: Option<&'a Figure>, year: ReferenceYear) -> Self {
        match figure {
            Some(f) if f.year == year => Lookup::Found(f),
            Some(f) => Lookup::OtherYear(f.year),
            None => Lookup::Missing,
        }
    }
}

impl Municipality {
    /// The municipality formed by `merger`, with its figures for the call's reference `year`
    /// as the rule of this module says: before the merger the sums over every former
    /// municipality (or none), from the merger on its own figures. The merger is kept for the
    /// verdicts to explain, when the year is before it.
    pub fn merged(mut self, merger: Merger, year: ReferenceYear) -> Self {
        if !merger.predates(year) {
            return self;
        }
        for kind in [FigureKind::NonEu15, FigureKind::Residents] {
            let figure = match merger.figure(kind, year) {
                MergedFigure::Own => continue,
                MergedFigure::Sum(sum) => Some(sum),
                MergedFigure::Incomplete(_) => None,
            };
            match kind {
                FigureKind::NonEu15 => self.non_eu15 = figure,
                FigureKind::Residents => self.residents = figure,
            }
        }
        self.merger = Some(merger);
        self
    }

    /// Its non-EU15 figure for `year`.
    pub fn non_eu15_in(&self, year: ReferenceYear) -> Lookup<'_> {
        Lookup::of(self.non_eu15.as_ref(), year)
    }

    /// Its residents figure for `year`.
    pub fn residents_in(&self, year: ReferenceYear) -> Lookup<'_> {
        Lookup::of(self.residents.as_ref(), year)
    }
}

/// Why a set of municipalities cannot form a [`Directory`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DirectoryError {
    /// The same NIS code appears twice.
    #[error("De NIS-code {0} komt twee keer voor in de lijst van gemeenten.")]
    DuplicateNisCode(NisCode),
}

/// All municipalities of a call, indexed by NIS code and by reference region. Build it once
/// per request (or cache it); lookups are then constant time.
#[derive(Debug, Clone, Default)]
pub struct Directory {
    municipalities: Vec<Municipality>,
    by_nis: HashMap<NisCode, usize>,
    by_region: BTreeMap<RegionCode, Vec<usize>>,
}

impl Directory {
    /// Indexes the municipalities; refuses duplicate NIS codes.
    pub fn new(municipalities: Vec<Municipality>) -> Result<Self, DirectoryError> {
        let mut by_nis = HashMap::with_capacity(municipalities.len());
        let mut by_region: BTreeMap<RegionCode, Vec<usize>> = BTreeMap::new();
        for (index, m) in municipalities.iter().enumerate() {
            if by_nis.insert(m.nis_code, index).is_some() {
                return Err(DirectoryError::DuplicateNisCode(m.nis_code));
            }
            by_region
                .entry(m.region_code.clone())
                .or_default()
                .push(index);
        }
        Ok(Self {
            municipalities,
            by_nis,
            by_region,
        })
    }

    /// The municipality with this NIS code.
    pub fn get(&self, nis_code: NisCode) -> Option<&Municipality> {
        self.by_nis
            .get(&nis_code)
            .and_then(|i| self.municipalities.get(*i))
    }

    /// All municipalities, in the order given.
    pub fn iter(&self) -> impl Iterator<Item = &Municipality> {
        self.municipalities.iter()
    }

    /// How many municipalities there are.
    pub fn len(&self) -> usize {
        self.municipalities.len()
    }

    /// Are there none?
    pub fn is_empty(&self) -> bool {
        self.municipalities.is_empty()
    }

    /// The municipalities of one reference region.
    pub fn region(&self, code: &RegionCode) -> impl Iterator<Item = &Municipality> {
        self.by_region
            .get(code)
            .into_iter()
            .flatten()
            .filter_map(|i| self.municipalities.get(*i))
    }

    /// The codes of all reference regions.
    pub fn region_codes(&self) -> impl Iterator<Item = &RegionCode> {
        self.by_region.keys()
    }
}

/// The municipalities already in an application of the call, with that application's
/// reference. A municipality is in at most one application per call.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Taken {
    by_municipality: BTreeMap<NisCode, String>,
}

impl Taken {
    /// Nobody taken yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records that `nis_code` is in application `reference`. Returns the reference of the
    /// other application when the municipality was already taken by a different one (the
    /// first one is kept).
    pub fn insert(&mut self, nis_code: NisCode, reference: &str) -> Result<(), String> {
        match self.by_municipality.get(&nis_code) {
            Some(existing) if existing != reference => Err(existing.clone()),
            Some(_) => Ok(()),
            None => {
                self.by_municipality.insert(nis_code, reference.to_owned());
                Ok(())
            }
        }
    }

    /// The application `nis_code` is in, if any.
    pub fn application_of(&self, nis_code: NisCode) -> Option<&str> {
        self.by_municipality.get(&nis_code).map(String::as_str)
    }

    /// Is `nis_code` taken?
    pub fn contains(&self, nis_code: NisCode) -> bool {
        self.by_municipality.contains_key(&nis_code)
    }

    /// The same set without the municipalities of application `reference`: use it to re-check
    /// an application, whose own members are of course in it.
    pub fn without_application(&self, reference: &str) -> Self {
        Self {
            by_municipality: self
                .by_municipality
                .iter()
                .filter(|(_, r)| r.as_str() != reference)
                .map(|(n, r)| (*n, r.clone()))
                .collect(),
        }
    }

    /// How many municipalities are taken.
    pub fn len(&self) -> usize {
        self.by_municipality.len()
    }

    /// Is nobody taken?
    pub fn is_empty(&self) -> bool {
        self.by_municipality.is_empty()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    #[test]
    fn a_source_reads_without_repositories_scripts_or_a_second_fictitious_mark() {
        assert_eq!(
            super::shown_source(
                "Statbel, wettelijke bevolking op 1 januari 2020 (via vandenbroucke/belgian_municipalities, zie seeds/SOURCES.md)"
            ),
            "Statbel, wettelijke bevolking op 1 januari 2020"
        );
        assert_eq!(
            super::shown_source(
                "FICTIEF demo-cijfer, geen officiële statistiek (gegenereerd door scripts/gen_demo_non_eu15.py)"
            ),
            "geen officiële statistiek"
        );
        assert_eq!(
            super::shown_source("Statistiek Vlaanderen (2020)"),
            "Statistiek Vlaanderen (2020)"
        );
    }

    use super::*;

    /// A municipality with a non-EU15 figure and a residents figure of 2020.
    pub(crate) fn town(
        nis: u32,
        name: &str,
        region: &str,
        non_eu15: u64,
        residents: u64,
    ) -> Municipality {
        let year = ReferenceYear::new(2020).unwrap();
        Municipality {
            nis_code: NisCode::new(nis).unwrap(),
            name: name.to_owned(),
            region_code: RegionCode::parse(region).unwrap(),
            region_name: format!("Regio {region}"),
            residents: Some(Figure {
                value: residents,
                year,
                source: "Statbel".to_owned(),
                fictitious: false,
            }),
            non_eu15: Some(Figure {
                value: non_eu15,
                year,
                source: "Statistiek Vlaanderen".to_owned(),
                fictitious: false,
            }),
            merger: None,
        }
    }

    #[test]
    fn a_directory_refuses_a_nis_code_twice() {
        let a = town(46_029, "Lokeren", "R14", 4_000, 40_000);
        let err = Directory::new(vec![a.clone(), a]).err();
        assert_eq!(
            err,
            Some(DirectoryError::DuplicateNisCode(
                NisCode::new(46_029).unwrap()
            ))
        );
    }

    #[test]
    fn a_directory_finds_municipalities_by_code_and_region() {
        let dir = Directory::new(vec![
            town(46_029, "Lokeren", "R14", 4_000, 40_000),
            town(46_025, "Sint-Niklaas", "R14", 12_000, 77_000),
            town(41_002, "Aalst", "R11", 9_000, 86_000),
        ])
        .unwrap();
        assert_eq!(dir.len(), 3);
        assert_eq!(
            dir.get(NisCode::new(41_002).unwrap())
                .map(|m| m.name.as_str()),
            Some("Aalst")
        );
        let r14: Vec<&str> = dir
            .region(&RegionCode::parse("R14").unwrap())
            .map(|m| m.name.as_str())
            .collect();
        assert_eq!(r14, ["Lokeren", "Sint-Niklaas"]);
        assert_eq!(dir.region_codes().count(), 2);
    }

    #[test]
    fn a_figure_of_another_year_is_not_used() {
        let m = town(46_029, "Lokeren", "R14", 4_000, 40_000);
        let year_2019 = ReferenceYear::new(2019).unwrap();
        let year_2020 = ReferenceYear::new(2020).unwrap();
        assert!(matches!(m.non_eu15_in(year_2020), Lookup::Found(f) if f.value == 4_000));
        assert_eq!(m.non_eu15_in(year_2019), Lookup::OtherYear(year_2020));
        let without = Municipality {
            non_eu15: None,
            ..m
        };
        assert_eq!(without.non_eu15_in(year_2020), Lookup::Missing);
    }

    fn figure(value: u64, year: u16, fictitious: bool) -> Figure {
        Figure {
            value,
            year: ReferenceYear::new(year).unwrap(),
            source: if fictitious {
                "FICTIEF demo-cijfer, geen officiële statistiek".to_owned()
            } else {
                "Statistiek Vlaanderen".to_owned()
            },
            fictitious,
        }
    }

    /// A former municipality with figures of 2020 (`None`: no figure).
    fn former(nis: u32, name: &str, residents: Option<u64>, non_eu15: Option<u64>) -> Former {
        Former {
            nis_code: NisCode::new(nis).unwrap(),
            name: name.to_owned(),
            residents: residents.map(|v| figure(v, 2020, false)),
            non_eu15: non_eu15.map(|v| figure(v, 2020, false)),
        }
    }

    fn merger_of(former: Vec<Former>) -> Merger {
        Merger {
            merged_on: NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
            former,
        }
    }

    fn year(y: u16) -> ReferenceYear {
        ReferenceYear::new(y).unwrap()
    }

    #[test]
    fn a_merger_of_2025_predates_the_figures_of_2024_and_earlier_only() {
        let merger = merger_of(Vec::new());
        for (y, predates) in [
            (2019, true),
            (2020, true),
            (2024, true),
            (2025, false),
            (2026, false),
        ] {
            assert_eq!(merger.predates(year(y)), predates, "{y}");
        }
    }

    #[test]
    fn a_merged_figure_is_the_sum_only_when_every_former_municipality_has_one() {
        // Every combination of three former municipalities with or without a figure.
        for mask in 0u8..8 {
            let value = |bit: u8, v: u64| (mask & (1 << bit) != 0).then_some(v);
            let merger = merger_of(vec![
                former(11_056, "Zwijndrecht", None, value(0, 1_000)),
                former(46_003, "Beveren", None, value(1, 2_000)),
                former(46_013, "Kruibeke", None, value(2, 4_000)),
            ]);
            match merger.figure(FigureKind::NonEu15, year(2020)) {
                MergedFigure::Sum(sum) => {
                    assert_eq!(mask, 7, "a sum only when all three have a figure");
                    assert_eq!(sum.value, 7_000);
                    assert_eq!(sum.year, year(2020));
                }
                MergedFigure::Incomplete(missing) => {
                    assert_ne!(mask, 7);
                    let missing: Vec<u8> = missing
                        .iter()
                        .map(|f| match f.name.as_str() {
                            "Zwijndrecht" => 0,
                            "Beveren" => 1,
                            _ => 2,
                        })
                        .collect();
                    let expected: Vec<u8> = (0..3).filter(|b| mask & (1 << b) == 0).collect();
                    assert_eq!(missing, expected, "mask {mask:03b}");
                }
                MergedFigure::Own => panic!("2020 is before the merger"),
            }
        }
    }

    #[test]
    fn a_figure_of_another_year_counts_as_missing_for_the_sum() {
        let mut old = former(11_007, "Borsbeek", Some(10_949), Some(1_752));
        old.non_eu15 = Some(figure(1_752, 2019, false));
        let merger = merger_of(vec![
            former(11_002, "Antwerpen", Some(529_247), Some(211_699)),
            old,
        ]);
        assert!(matches!(
            merger.figure(FigureKind::NonEu15, year(2020)),
            MergedFigure::Incomplete(missing) if missing.len() == 1 && missing[0].name == "Borsbeek"
        ));
        assert!(matches!(
            merger.figure(FigureKind::Residents, year(2020)),
            MergedFigure::Sum(sum) if sum.value == 540_196
        ));
    }

    #[test]
    fn a_sum_is_fictitious_when_any_part_is_and_names_each_source_once() {
        let mut merger = merger_of(vec![
            former(11_002, "Antwerpen", None, Some(211_699)),
            former(11_007, "Borsbeek", None, Some(1_752)),
        ]);
        let MergedFigure::Sum(real) = merger.figure(FigureKind::NonEu15, year(2020)) else {
            panic!("a sum");
        };
        assert!(!real.fictitious);
        assert_eq!(real.source, "Statistiek Vlaanderen");
        merger.former[1].non_eu15 = Some(figure(1_752, 2020, true));
        let MergedFigure::Sum(mixed) = merger.figure(FigureKind::NonEu15, year(2020)) else {
            panic!("a sum");
        };
        assert!(mixed.fictitious);
        assert_eq!(
            mixed.source,
            "Statistiek Vlaanderen; FICTIEF demo-cijfer, geen officiële statistiek"
        );
    }

    #[test]
    fn antwerpen_never_keeps_its_own_figure_of_before_it_absorbed_borsbeek() {
        let antwerpen = town(11_002, "Antwerpen", "R01", 211_699, 529_247);
        let with_borsbeek = merger_of(vec![
            former(11_002, "Antwerpen", Some(529_247), Some(211_699)),
            former(11_007, "Borsbeek", Some(10_949), Some(1_752)),
        ]);
        let merged = antwerpen.clone().merged(with_borsbeek.clone(), year(2020));
        assert_eq!(merged.non_eu15.as_ref().map(|f| f.value), Some(213_451));
        assert_eq!(merged.residents.as_ref().map(|f| f.value), Some(540_196));
        assert_eq!(merged.merger, Some(with_borsbeek.clone()));

        // Without Borsbeek's non-EU15 figure there is none: never Antwerpen's own 211.699.
        let mut without = with_borsbeek;
        without.former[1].non_eu15 = None;
        let merged = antwerpen.merged(without, year(2020));
        assert_eq!(merged.non_eu15, None);
        assert_eq!(merged.non_eu15_in(year(2020)), Lookup::Missing);
        assert_eq!(merged.residents.as_ref().map(|f| f.value), Some(540_196));
    }

    #[test]
    fn a_figure_from_the_merger_on_is_the_merged_municipalitys_own() {
        let mut own = town(11_002, "Antwerpen", "R01", 215_000, 541_000);
        for f in [own.non_eu15.as_mut(), own.residents.as_mut()]
            .into_iter()
            .flatten()
        {
            f.year = year(2025);
        }
        let merger = merger_of(vec![
            former(11_002, "Antwerpen", Some(529_247), Some(211_699)),
            former(11_007, "Borsbeek", Some(10_949), None),
        ]);
        assert_eq!(
            merger.figure(FigureKind::NonEu15, year(2025)),
            MergedFigure::Own
        );
        let merged = own.clone().merged(merger, year(2025));
        assert_eq!(
            merged, own,
            "figures of 2025 describe the merged municipality"
        );
    }

    #[test]
    fn a_municipality_is_taken_by_at_most_one_application() {
        let lokeren = NisCode::new(46_029).unwrap();
        let mut taken = Taken::new();
        assert_eq!(taken.insert(lokeren, "A-1"), Ok(()));
        assert_eq!(taken.insert(lokeren, "A-1"), Ok(()));
        assert_eq!(taken.insert(lokeren, "A-2"), Err("A-1".to_owned()));
        assert_eq!(taken.application_of(lokeren), Some("A-1"));
        assert!(taken.without_application("A-1").is_empty());
        assert_eq!(taken.without_application("A-2").len(), 1);
    }
}
