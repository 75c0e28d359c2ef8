//! The report's charts other than the forecast fans' grid: line charts
//! with shaded bands (a node's history, forecast fan, last year and
//! target; a phasing profile; probability against growth; cumulative
//! actuals against plan) and stacked bars (targets by period, stacked by
//! the level below), each as one SVG document drawn with `plotters`.
//! Text stays text, so Chinese names are searchable in the page.

use plotters::element::Rectangle;
use plotters::prelude::*;

use crate::error::{Error, Result};

/// How a line is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stroke {
    Solid,
    Dashed,
}

/// One line: its legend name, colour and points `(x, y)` (non-finite `y`
/// breaks the line).
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub name: String,
    pub color: RGBColor,
    pub stroke: Stroke,
    pub width: u32,
    pub points: Vec<(f64, f64)>,
}

/// A shaded band between `lower` and `upper` at the same `x`s.
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    pub name: String,
    pub color: RGBColor,
    pub opacity: f64,
    /// `(x, lower, upper)`, in increasing `x`.
    pub points: Vec<(f64, f64, f64)>,
}

/// How the y axis is labelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// Amounts: 1250 / 12.5k / 3.4M.
    Amount,
    /// Shares and probabilities: 0.25 as 25%.
    Percent,
}

/// A line chart with bands drawn under the lines.
#[derive(Debug, Clone, PartialEq)]
pub struct LineChart {
    pub title: String,
    pub size: (u32, u32),
    /// The label of each whole `x` from 0 (empty: the numbers, in the
    /// scale `x`).
    pub x_labels: Vec<String>,
    pub x: Scale,
    pub y: Scale,
    /// Start the y axis at 0 (amounts that are never negative).
    pub y_from_zero: bool,
    pub bands: Vec<Band>,
    pub lines: Vec<Line>,
    /// Draw a legend in a column on the right.
    pub legend: bool,
}

/// Bars of `labels.len()` periods, each stacked from `stacks` (name and
/// one value per period, bottom first), with `line` drawn over them.
#[derive(Debug, Clone, PartialEq)]
pub struct StackedBars {
    pub title: String,
    pub size: (u32, u32),
    pub labels: Vec<String>,
    pub stacks: Vec<(String, Vec<f64>)>,
    pub line: Option<Line>,
}

/// Colours of the stacks and lines, in turn (Tableau 10).
pub const PALETTE: [RGBColor; 10] = [
    RGBColor(0x4e, 0x79, 0xa7),
    RGBColor(0xf2, 0x8e, 0x2b),
    RGBColor(0xe1, 0x57, 0x59),
    RGBColor(0x76, 0xb7, 0xb2),
    RGBColor(0x59, 0xa1, 0x4f),
    RGBColor(0xed, 0xc9, 0x48),
    RGBColor(0xb0, 0x7a, 0xa1),
    RGBColor(0xff, 0x9d, 0xa7),
    RGBColor(0x9c, 0x75, 0x5f),
    RGBColor(0xba, 0xb0, 0xac),
];
/// The forecast's blue (as the fan charts).
pub const BLUE: RGBColor = RGBColor(0x1f, 0x5f, 0xa8);
/// The target's red.
pub const RED: RGBColor = RGBColor(0xc0, 0x39, 0x2b);
/// Last year's grey.
pub const GREY: RGBColor = RGBColor(0x80, 0x80, 0x80);

fn drawing<E: std::error::Error + Send + Sync>(e: DrawingAreaErrorKind<E>) -> Error {
    Error::InvalidParameter {
        name: "chart",
        reason: format!("cannot draw: {e}"),
    }
}

/// The range of `values` padded by 5% (a flat or empty range made visible).
fn padded(values: impl Iterator<Item = f64>, from_zero: bool) -> (f64, f64) {
    let (mut lo, mut hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    if !lo.is_finite() {
        (lo, hi) = (0.0, 1.0);
    }
    if from_zero {
        lo = lo.min(0.0);
    }
    let pad = if hi > lo {
        0.05 * (hi - lo)
    } else {
        1.0_f64.max(0.05 * hi.abs())
    };
    (
        if from_zero && lo >= 0.0 {
            0.0
        } else {
            lo - pad
        },
        hi + pad,
    )
}

/// The label at `x` on an axis of `labels` (one per whole `x` from 0;
/// empty between them).
pub fn label_at<S: AsRef<str>>(labels: &[S], x: f64) -> String {
    let k = x.round();
    if (x - k).abs() < 1e-9 && k >= 0.0 {
        labels
            .get(k as usize)
            .map_or(String::new(), |l| l.as_ref().to_string())
    } else {
        String::new()
    }
}

/// An axis label for an amount: 1250 / 12.5k / 3.4M / 1.2G.
pub fn short_amount(v: f64) -> String {
    let a = v.abs();
    if a >= 1e9 {
        format!("{:.1}G", v / 1e9)
    } else if a >= 1e6 {
        format!("{:.1}M", v / 1e6)
    } else if a >= 1e4 {
        format!("{:.1}k", v / 1e3)
    } else if a >= 100.0 || v == v.round() {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

fn percent(v: f64) -> String {
    let p = v * 100.0;
    if (p - p.round()).abs() < 1e-9 {
        format!("{p:.0}%")
    } else {
        format!("{p:.1}%")
    }
}

impl LineChart {
    /// The chart as an SVG document.
    ///
    /// ```
    /// use salesplan::report::charts::{Band, Line, LineChart, Scale, Stroke, BLUE};
    /// let chart = LineChart {
    ///     title: "华东大区".into(),
    ///     size: (480, 300),
    ///     x_labels: vec!["2026-01".into(), "2026-02".into(), "2026-03".into()],
    ///     x: Scale::Amount,
    ///     y: Scale::Amount,
    ///     y_from_zero: true,
    ///     bands: vec![Band { name: "95%".into(), color: BLUE, opacity: 0.2,
    ///         points: vec![(0.0, 8.0, 12.0), (1.0, 7.0, 13.0), (2.0, 6.0, 14.0)] }],
    ///     lines: vec![Line { name: "forecast".into(), color: BLUE, stroke: Stroke::Solid, width: 2,
    ///         points: vec![(0.0, 10.0), (1.0, 10.0), (2.0, 10.0)] }],
    ///     legend: true,
    /// };
    /// let svg = chart.svg()?;
    /// assert!(svg.contains("华东大区") && svg.contains("2026-02"));
    /// assert_eq!(svg.matches("<polygon").count(), 1);
    /// # Ok::<(), salesplan::Error>(())
    /// ```
    pub fn svg(&self) -> Result<String> {
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, self.size).into_drawing_area();
            root.fill(&WHITE).map_err(drawing)?;
            if self.legend {
                let (plot, side) =
                    root.split_horizontally(self.size.0.saturating_sub(LEGEND_WIDTH));
                self.draw(&plot)?;
                let entries: Vec<Entry> = self
                    .bands
                    .iter()
                    .map(|b| Entry::Swatch(&b.name, b.color, b.opacity))
                    .chain(
                        self.lines
                            .iter()
                            .map(|l| Entry::Line(&l.name, l.color, l.stroke, l.width)),
                    )
                    .collect();
                draw_legend(&side, &entries)?;
            } else {
                self.draw(&root)?;
            }
            root.present().map_err(drawing)?;
        }
        Ok(svg)
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, plotters::coord::Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let xs = self
            .lines
            .iter()
            .flat_map(|l| l.points.iter().map(|p| p.0))
            .chain(self.bands.iter().flat_map(|b| b.points.iter().map(|p| p.0)));
        let (x_lo, x_hi) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
            (a.min(x), b.max(x))
        });
        let (x_lo, x_hi) = if x_lo.is_finite() && x_hi > x_lo {
            (x_lo, x_hi)
        } else {
            (0.0, 1.0)
        };
        let ys = self
            .lines
            .iter()
            .flat_map(|l| l.points.iter().map(|p| p.1))
            .chain(
                self.bands
                    .iter()
                    .flat_map(|b| b.points.iter().flat_map(|p| [p.1, p.2])),
            );
        let (y_lo, y_hi) = padded(ys, self.y_from_zero);
        let mut c = ChartBuilder::on(area)
            .caption(&self.title, ("sans-serif", 16))
            .margin(10)
            .x_label_area_size(28)
            .y_label_area_size(64)
            .build_cartesian_2d(x_lo..x_hi, y_lo..y_hi)
            .map_err(drawing)?;
        let labels = &self.x_labels;
        let x_scale = self.x;
        let label = move |x: &f64| {
            if labels.is_empty() {
                return match x_scale {
                    Scale::Percent => percent(*x),
                    Scale::Amount => short_amount(*x),
                };
            }
            label_at(labels, *x)
        };
        let y = self.y;
        c.configure_mesh()
            .disable_x_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(RGBColor(0xe4, 0xe4, 0xe4))
            .x_labels(if labels.is_empty() {
                6
            } else {
                labels.len().min(8)
            })
            .x_label_formatter(&label)
            .y_label_formatter(&|v| match y {
                Scale::Amount => short_amount(*v),
                Scale::Percent => percent(*v),
            })
            .draw()
            .map_err(drawing)?;
        for band in &self.bands {
            let points: Vec<(f64, f64)> = band
                .points
                .iter()
                .map(|p| (p.0, p.2))
                .chain(band.points.iter().rev().map(|p| (p.0, p.1)))
                .collect();
            let style = band.color.mix(band.opacity).filled();
            c.draw_series(std::iter::once(Polygon::new(points, style)))
                .map_err(drawing)?;
        }
        for line in &self.lines {
            let style = line.color.stroke_width(line.width);
            // a non-finite value breaks the line into runs
            let runs = line
                .points
                .split(|p| !p.1.is_finite())
                .filter(|run| !run.is_empty());
            for run in runs {
                match line.stroke {
                    Stroke::Solid => c
                        .draw_series(LineSeries::new(run.iter().copied(), style))
                        .map_err(drawing)?,
                    Stroke::Dashed => c
                        .draw_series(DashedLineSeries::new(run.iter().copied(), 6, 4, style))
                        .map_err(drawing)?,
                };
            }
            if run_of_one(&line.points) {
                c.draw_series(
                    line.points
                        .iter()
                        .filter(|p| p.1.is_finite())
                        .map(|p| Circle::new(*p, 3, line.color.filled())),
                )
                .map_err(drawing)?;
            }
        }
        Ok(())
    }
}

/// The width of the legend's column.
const LEGEND_WIDTH: u32 = 150;

/// A legend entry: a shaded swatch or a line sample, and its name.
enum Entry<'a> {
    Swatch(&'a str, RGBColor, f64),
    Line(&'a str, RGBColor, Stroke, u32),
}

/// The entries one under another, from the top of `area`.
fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    entries: &[Entry],
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    for (k, entry) in entries.iter().enumerate() {
        let y = 40 + 18 * k as i32;
        let name = match entry {
            Entry::Swatch(name, color, opacity) => {
                area.draw(&Rectangle::new(
                    [(4, y - 5), (22, y + 5)],
                    color.mix(*opacity).filled(),
                ))
                .map_err(drawing)?;
                name
            }
            Entry::Line(name, color, stroke, width) => {
                let style = color.stroke_width(*width);
                match stroke {
                    Stroke::Solid => area.draw(&PathElement::new([(4, y), (22, y)], style)),
                    Stroke::Dashed => area
                        .draw(&PathElement::new([(4, y), (9, y)], style))
                        .and_then(|_| area.draw(&PathElement::new([(14, y), (22, y)], style))),
                }
                .map_err(drawing)?;
                name
            }
        };
        area.draw(&Text::new(
            name.to_string(),
            (28, y - 6),
            ("sans-serif", 12),
        ))
        .map_err(drawing)?;
    }
    Ok(())
}

/// Whether a line has a point with no finite neighbour (drawn as a dot).
fn run_of_one(points: &[(f64, f64)]) -> bool {
    points.split(|p| !p.1.is_finite()).any(|run| run.len() == 1)
}

impl StackedBars {
    /// The chart as an SVG document: one `<rect>` per stack and period
    /// with a positive value.
    ///
    /// ```
    /// use salesplan::report::charts::StackedBars;
    /// let bars = StackedBars {
    ///     title: "2026".into(),
    ///     size: (640, 320),
    ///     labels: vec!["2026-01".into(), "2026-02".into()],
    ///     stacks: vec![("华东".into(), vec![5.0, 4.0]), ("华南".into(), vec![3.0, 2.0])],
    ///     line: None,
    /// };
    /// let svg = bars.svg()?;
    /// assert!(svg.contains("华南"));
    /// # Ok::<(), salesplan::Error>(())
    /// ```
    pub fn svg(&self) -> Result<String> {
        let n = self.labels.len();
        if n == 0 {
            return Err(Error::InvalidParameter {
                name: "chart",
                reason: "no periods to draw".into(),
            });
        }
        let totals: Vec<f64> = (0..n)
            .map(|t| self.stacks.iter().map(|(_, v)| v[t].max(0.0)).sum())
            .collect();
        let top = totals
            .iter()
            .copied()
            .chain(self.line.iter().flat_map(|l| l.points.iter().map(|p| p.1)))
            .filter(|v| v.is_finite())
            .fold(0.0_f64, f64::max);
        let top = if top > 0.0 { top * 1.08 } else { 1.0 };
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, self.size).into_drawing_area();
            root.fill(&WHITE).map_err(drawing)?;
            let (plot, side) = root.split_horizontally(self.size.0.saturating_sub(LEGEND_WIDTH));
            let mut c = ChartBuilder::on(&plot)
                .caption(&self.title, ("sans-serif", 16))
                .margin(10)
                .x_label_area_size(28)
                .y_label_area_size(64)
                .build_cartesian_2d(-0.5..(n as f64 - 0.5), 0.0..top)
                .map_err(drawing)?;
            let labels = &self.labels;
            let label = |x: &f64| label_at(labels, *x);
            c.configure_mesh()
                .disable_x_mesh()
                .light_line_style(TRANSPARENT)
                .bold_line_style(RGBColor(0xe4, 0xe4, 0xe4))
                .x_labels(n.min(13))
                .x_label_formatter(&label)
                .y_label_formatter(&|v| short_amount(*v))
                .draw()
                .map_err(drawing)?;
            let mut base = vec![0.0; n];
            for (k, (_, values)) in self.stacks.iter().enumerate() {
                let style = PALETTE[k % PALETTE.len()].filled();
                let rects: Vec<_> = (0..n)
                    .filter(|&t| values[t] > 0.0)
                    .map(|t| {
                        let (x, y0) = (t as f64, base[t]);
                        base[t] += values[t];
                        Rectangle::new([(x - 0.38, y0), (x + 0.38, base[t])], style)
                    })
                    .collect();
                c.draw_series(rects).map_err(drawing)?;
            }
            if let Some(line) = &self.line {
                let style = line.color.stroke_width(line.width);
                c.draw_series(DashedLineSeries::new(
                    line.points.iter().copied(),
                    6,
                    4,
                    style,
                ))
                .map_err(drawing)?;
            }
            let entries: Vec<Entry> = self
                .stacks
                .iter()
                .enumerate()
                .map(|(k, (name, _))| Entry::Swatch(name, PALETTE[k % PALETTE.len()], 1.0))
                .chain(
                    self.line
                        .iter()
                        .map(|l| Entry::Line(&l.name, l.color, l.stroke, l.width)),
                )
                .collect();
            draw_legend(&side, &entries)?;
            root.present().map_err(drawing)?;
        }
        Ok(svg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_labels() {
        assert_eq!(short_amount(1250.0), "1250");
        assert_eq!(short_amount(12_500.0), "12.5k");
        assert_eq!(short_amount(3_400_000.0), "3.4M");
        assert_eq!(short_amount(0.25), "0.25");
        assert_eq!(percent(0.25), "25%");
        assert_eq!(percent(0.085), "8.5%");
    }

    #[test]
    fn one_rectangle_per_positive_cell() {
        let bars = StackedBars {
            title: "t".into(),
            size: (400, 300),
            labels: vec!["a".into(), "b".into(), "c".into()],
            stacks: vec![
                ("x".into(), vec![1.0, 0.0, 2.0]),
                ("y".into(), vec![1.0, 1.0, 1.0]),
            ],
            line: None,
        };
        let svg = bars.svg().unwrap();
        // 5 bars, 2 legend swatches and the background
        let filled = svg.matches("<rect").count();
        assert_eq!(filled, 5 + 2 + 1, "{svg}");
    }
}
