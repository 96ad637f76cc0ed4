//! A KPI's target against its measured values over time, as a small server-rendered SVG line
//! chart: accessible (`role="img"`, `<title>`, `<desc>` with every number) and meant to sit
//! beside a data table with the same numbers, so nothing depends on the picture or on colour
//! (the target is a dashed line with a text label, measurements are dots with their value).
//! Colours come from `app.css` classes; there are no inline styles.

use crate::domain::KpiValue;

/// One measuring moment: its label and, when measured, the value in thousandths.
#[derive(Debug, Clone)]
pub struct Point {
    pub label: String,
    pub value: Option<u64>,
}

#[derive(Debug, Clone)]
pub struct KpiChart {
    /// Unique in the page; used for the ids of title and description.
    pub id: String,
    pub title: String,
    pub unit: String,
    pub baseline: u64,
    pub target: u64,
    /// In time order; the baseline is drawn as the first point.
    pub points: Vec<Point>,
}

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 260.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 50.0;
const TOP: f64 = 20.0;
const BOTTOM: f64 = 60.0;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn shown(thousandths: u64) -> String {
    KpiValue::from_thousandths(thousandths).to_string()
}

/// Where values and moments land in the plot area.
struct Frame {
    max_value: u64,
    top_value: f64,
    plot_w: f64,
    plot_h: f64,
    /// The number of moments, the baseline included.
    n: usize,
}

impl Frame {
    fn of(chart: &KpiChart) -> Self {
        let max_value = chart
            .points
            .iter()
            .filter_map(|p| p.value)
            .chain([chart.baseline, chart.target])
            .max()
            .unwrap_or(0)
            .max(1);
        Frame {
            max_value,
            // Leave a tenth of head room above the largest value.
            top_value: max_value as f64 * 1.1,
            plot_w: WIDTH - LEFT - RIGHT,
            plot_h: HEIGHT - TOP - BOTTOM,
            n: chart.points.len() + 1,
        }
    }

    fn y(&self, v: u64) -> f64 {
        TOP + self.plot_h - (v as f64 / self.top_value) * self.plot_h
    }

    fn x(&self, i: usize) -> f64 {
        if self.n <= 1 {
            LEFT + self.plot_w / 2.0
        } else {
            LEFT + self.plot_w * i as f64 / (self.n - 1) as f64
        }
    }
}

/// The chart as an SVG element.
pub fn svg(chart: &KpiChart) -> String {
    let frame = Frame::of(chart);
    let mut out = opening(chart);
    axes(&frame, &mut out);
    target(chart, &frame, &mut out);
    measurements(chart, &frame, &mut out);
    moments(chart, &frame, &mut out);
    out.push_str("</svg>");
    out
}

/// The opening tag with the title and a description that says every number.
fn opening(chart: &KpiChart) -> String {
    let title_id = format!("{}-titel", chart.id);
    let desc_id = format!("{}-beschrijving", chart.id);
    let measured: Vec<String> = chart
        .points
        .iter()
        .map(|p| match p.value {
            Some(v) => format!("{}: {}", p.label, shown(v)),
            None => format!("{}: nog niet gemeten", p.label),
        })
        .collect();
    let desc = format!(
        "Nulmeting {}, streefwaarde {} {}. Gemeten: {}.",
        shown(chart.baseline),
        shown(chart.target),
        chart.unit,
        measured.join("; ")
    );
    format!(
        r#"<svg class="kpi-chart" role="img" aria-labelledby="{title_id} {desc_id}" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" xmlns="http://www.w3.org/2000/svg"><title id="{title_id}">{}</title><desc id="{desc_id}">{}</desc>"#,
        escape(&chart.title),
        escape(&desc)
    )
}

/// Axes and three grid lines with their values.
fn axes(frame: &Frame, out: &mut String) {
    let plot_h = frame.plot_h;
    out.push_str(&format!(
        r#"<line class="axis" x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{:.1}"/><line class="axis" x1="{LEFT}" y1="{:.1}" x2="{:.1}" y2="{:.1}"/>"#,
        TOP + plot_h,
        TOP + plot_h,
        WIDTH - RIGHT,
        TOP + plot_h
    ));
    for step in 0..=2u64 {
        let v = frame.max_value * step / 2;
        out.push_str(&format!(
            r#"<line class="grid" x1="{LEFT}" y1="{yy:.1}" x2="{:.1}" y2="{yy:.1}"/><text class="tick" x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            WIDTH - RIGHT,
            LEFT - 6.0,
            frame.y(v) + 4.0,
            escape(&shown(v)),
            yy = frame.y(v)
        ));
    }
}

/// The target, dashed and labelled.
fn target(chart: &KpiChart, frame: &Frame, out: &mut String) {
    out.push_str(&format!(
        r#"<line class="target" x1="{LEFT}" y1="{yy:.1}" x2="{:.1}" y2="{yy:.1}"/><text class="target-label" x="{:.1}" y="{:.1}" text-anchor="end">streefwaarde {}</text>"#,
        WIDTH - RIGHT,
        WIDTH - RIGHT,
        frame.y(chart.target) - 6.0,
        escape(&shown(chart.target)),
        yy = frame.y(chart.target)
    ));
}

/// The measurements, from the baseline on: a line through dots with their values.
fn measurements(chart: &KpiChart, frame: &Frame, out: &mut String) {
    let mut coords = vec![(
        frame.x(0),
        frame.y(chart.baseline),
        chart.baseline,
        "nulmeting".to_owned(),
    )];
    for (i, p) in chart.points.iter().enumerate() {
        if let Some(v) = p.value {
            coords.push((frame.x(i + 1), frame.y(v), v, p.label.clone()));
        }
    }
    let path: Vec<String> = coords
        .iter()
        .map(|(cx, cy, _, _)| format!("{cx:.1},{cy:.1}"))
        .collect();
    out.push_str(&format!(
        r#"<polyline class="actual" points="{}"/>"#,
        path.join(" ")
    ));
    for (cx, cy, v, _) in &coords {
        out.push_str(&format!(
            r#"<circle class="point" cx="{cx:.1}" cy="{cy:.1}" r="4"/><text class="value" x="{cx:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            cy - 8.0,
            escape(&shown(*v))
        ));
    }
}

/// Labels of the moments under the axis.
fn moments(chart: &KpiChart, frame: &Frame, out: &mut String) {
    let labels =
        std::iter::once("Nulmeting".to_owned()).chain(chart.points.iter().map(|p| p.label.clone()));
    for (i, label) in labels.enumerate() {
        out.push_str(&format!(
            r#"<text class="moment" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            frame.x(i),
            TOP + frame.plot_h + 20.0 + if i % 2 == 1 { 16.0 } else { 0.0 },
            escape(&label)
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chart_is_labelled_and_describes_every_number() {
        let chart = KpiChart {
            id: "kpi-7".into(),
            title: "Bereik <jongeren> & ouders".into(),
            unit: "personen".into(),
            baseline: 0,
            target: 4_000,
            points: vec![
                Point {
                    label: "Jaar 1 tussentijds".into(),
                    value: Some(1_000),
                },
                Point {
                    label: "Jaar 1 jaarrapport".into(),
                    value: None,
                },
            ],
        };
        let svg = svg(&chart);
        assert!(svg.starts_with("<svg class=\"kpi-chart\" role=\"img\" aria-labelledby=\"kpi-7-titel kpi-7-beschrijving\""));
        assert!(
            svg.contains("<title id=\"kpi-7-titel\">Bereik &lt;jongeren&gt; &amp; ouders</title>")
        );
        assert!(svg.contains("Nulmeting 0, streefwaarde 4 personen. Gemeten: Jaar 1 tussentijds: 1; Jaar 1 jaarrapport: nog niet gemeten."));
        assert!(svg.contains("streefwaarde 4</text>"));
        assert!(!svg.contains("style="), "no inline styles under the CSP");
        assert_eq!(
            svg.matches("<circle").count(),
            2,
            "baseline and one measurement"
        );
    }
}
