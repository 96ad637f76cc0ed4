//! Charts as server-rendered SVG, readable without JavaScript and without colour: every bar
//! carries its label and its value as text, the chart has `role="img"`, a `<title>` and a
//! `<desc>` that says in words what it shows, and every page puts the same figures in a table
//! beside it. No inline styles (the CSP forbids them): presentation attributes only.

/// One bar: its label, its value (in any unit, only compared with the others) and the value as
/// people read it.
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    pub value: i64,
    pub text: String,
}

/// A reference line across the bars (e.g. the two-thirds aim), at `value` on the same scale.
#[derive(Debug, Clone)]
pub struct Marker {
    pub value: i64,
    pub text: String,
}

pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

const WIDTH: i64 = 720;
const LABEL_WIDTH: i64 = 260;
const VALUE_WIDTH: i64 = 150;
const ROW: i64 = 26;
const BAR: i64 = 16;

/// A horizontal bar chart. `id` must be unique on the page (it links title and description).
pub fn bar_chart(
    id: &str,
    title: &str,
    desc: &str,
    bars: &[Bar],
    marker: Option<&Marker>,
) -> String {
    let max = bars
        .iter()
        .map(|b| b.value)
        .chain(marker.map(|m| m.value))
        .max()
        .unwrap_or(0)
        .max(1);
    let area = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
    let rows = i64::try_from(bars.len()).unwrap_or(0).max(1);
    let height = rows * ROW + 30;
    let mut svg = format!(
        "<svg class=\"chart\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" viewBox=\"0 0 {WIDTH} {height}\" width=\"100%\" xmlns=\"http://www.w3.org/2000/svg\">\
<title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        escape(title),
        escape(desc)
    );
    if bars.is_empty() {
        svg.push_str(
            "<text x=\"0\" y=\"20\" font-size=\"14\" fill=\"#1c1c1c\">Nog geen gegevens.</text></svg>",
        );
        return svg;
    }
    for (i, bar) in bars.iter().enumerate() {
        svg.push_str(&bar_row(i, bar, area, max));
    }
    if let Some(m) = marker {
        svg.push_str(&marker_line(m, area, max, rows));
    }
    svg.push_str("</svg>");
    svg
}

/// The `i`th bar: its label, the bar scaled to `max` over `area`, and its value as text.
fn bar_row(i: usize, bar: &Bar, area: i64, max: i64) -> String {
    let y = i64::try_from(i).unwrap_or(0) * ROW + 4;
    let length = if bar.value <= 0 {
        0
    } else {
        (i128::from(bar.value) * i128::from(area) / i128::from(max)) as i64
    };
    let length = length.max(if bar.value > 0 { 1 } else { 0 });
    format!(
        "<text x=\"{}\" y=\"{}\" font-size=\"13\" text-anchor=\"end\" fill=\"#1c1c1c\">{}</text>\
<rect x=\"{LABEL_WIDTH}\" y=\"{y}\" width=\"{length}\" height=\"{BAR}\" fill=\"#0b4f8a\" stroke=\"#083a66\"/>\
<text x=\"{}\" y=\"{}\" font-size=\"13\" fill=\"#1c1c1c\">{}</text>",
        LABEL_WIDTH - 8,
        y + BAR - 3,
        escape(&bar.label),
        LABEL_WIDTH + length + 6,
        y + BAR - 3,
        escape(&bar.text)
    )
}

/// The marker: a dashed line across all `rows` with its text under it.
fn marker_line(m: &Marker, area: i64, max: i64, rows: i64) -> String {
    let x = LABEL_WIDTH + (i128::from(m.value.max(0)) * i128::from(area) / i128::from(max)) as i64;
    let bottom = rows * ROW + 4;
    format!(
        "<line x1=\"{x}\" y1=\"0\" x2=\"{x}\" y2=\"{bottom}\" stroke=\"#1c1c1c\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>\
<text x=\"{x}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\" fill=\"#1c1c1c\">{}</text>",
        bottom + 16,
        escape(&m.text)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_names_itself_and_writes_every_value_as_text() {
        let svg = bar_chart(
            "c1",
            "Budget <jaar 1>",
            "Enveloppe en toegekend",
            &[
                Bar {
                    label: "Enveloppe".into(),
                    value: 100,
                    text: "€ 1,00".into(),
                },
                Bar {
                    label: "Toegekend".into(),
                    value: 0,
                    text: "€ 0,00".into(),
                },
            ],
            Some(&Marker {
                value: 50,
                text: "doel".into(),
            }),
        );
        assert!(svg.contains("role=\"img\""));
        assert!(svg.contains("<title id=\"c1-title\">Budget &lt;jaar 1&gt;</title>"));
        assert!(svg.contains("<desc id=\"c1-desc\">"));
        assert!(svg.contains("€ 1,00") && svg.contains("€ 0,00") && svg.contains("doel"));
        assert!(svg.contains("width=\"0\""), "a zero bar has no length");
        assert!(!svg.contains("style="), "no inline styles under the CSP");
    }
}
