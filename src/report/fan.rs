//! Forecast fan charts: each series' history, its forecast mean and one
//! shaded band per interval level (the widest palest), as R's
//! `autoplot(forecast(...))` draws them; a grid of series in one SVG,
//! drawn with `plotters`' SVG backend. Text stays text (Chinese names are
//! searchable and selectable); the file needs no network to open.

use plotters::prelude::*;

use crate::error::{Error, Result};
use crate::forecast::models::Forecast;
use crate::forecast::series::Series;
use crate::io::{format_level, ForecastRead};

use super::charts::{label_at, short_amount};

/// One panel: a series' history (optional) and its forecast.
#[derive(Debug, Clone, PartialEq)]
pub struct FanChart {
    /// The panel's title (the series id).
    pub title: String,
    /// The history's period labels and values, oldest first.
    pub history: Vec<(String, f64)>,
    /// The forecast periods' labels.
    pub labels: Vec<String>,
    pub forecast: Forecast,
}

/// Which series to draw and how much of their history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FanChoice {
    /// The series, in this order; empty: the first `first` of the forecasts.
    pub series: Vec<String>,
    pub first: usize,
    /// History periods drawn before each forecast, at most (`None`: all).
    pub history_periods: Option<usize>,
}

impl Default for FanChoice {
    /// The first 12 series, all their history.
    fn default() -> Self {
        FanChoice {
            series: Vec::new(),
            first: 12,
            history_periods: None,
        }
    }
}

/// The panels of `choice`: each chosen forecast (titled `id · model ·
/// levels`) with its series' history from `history` (sorted by id, as the
/// readers give it). Returns them with the ids that have no history there
/// (drawn alone); a chosen id without a forecast is an error.
pub fn fan_charts(
    forecasts: &[ForecastRead],
    history: &[Series],
    choice: &FanChoice,
) -> Result<(Vec<FanChart>, Vec<String>)> {
    let chosen: Vec<&ForecastRead> = if choice.series.is_empty() {
        forecasts.iter().take(choice.first).collect()
    } else {
        choice
            .series
            .iter()
            .map(|id| {
                forecasts
                    .iter()
                    .find(|f| &f.id == id)
                    .ok_or_else(|| Error::InvalidParameter {
                        name: "series",
                        reason: format!(
                            "'{id}': not among the {} series forecast",
                            forecasts.len()
                        ),
                    })
            })
            .collect::<Result<_>>()?
    };
    let mut missing = Vec::new();
    let charts = chosen
        .iter()
        .map(|f| {
            let past = match history.binary_search_by(|s| s.id().cmp(&f.id)) {
                Ok(k) => {
                    let s = &history[k];
                    let from = choice
                        .history_periods
                        .map_or(0, |n| s.len().saturating_sub(n));
                    (from..s.len())
                        .map(|t| (s.label(t), s.values()[t]))
                        .collect()
                }
                Err(_) => {
                    if !history.is_empty() {
                        missing.push(f.id.clone());
                    }
                    Vec::new()
                }
            };
            let levels: Vec<String> = f
                .forecast
                .intervals
                .iter()
                .map(|i| format!("{}%", format_level(i.level)))
                .collect();
            let mut title = vec![f.id.clone()];
            if !f.model.is_empty() {
                title.push(f.model.clone());
            }
            if !levels.is_empty() {
                title.push(levels.join(", "));
            }
            FanChart {
                title: title.join(" · "),
                history: past,
                labels: f.labels.clone(),
                forecast: f.forecast.clone(),
            }
        })
        .collect();
    Ok((charts, missing))
}

/// Panel size in pixels.
pub const PANEL: (u32, u32) = (480, 300);

/// The charts as one SVG document, `columns` panels a row (at least 1).
///
/// ```
/// use salesplan::forecast::models::{Forecast, Interval};
/// use salesplan::report::fan::{fan_chart_svg, FanChart};
/// let chart = FanChart {
///     title: "华东-张伟".into(),
///     history: (1..=12).map(|t| (t.to_string(), 100.0 + t as f64)).collect(),
///     labels: vec!["13".into(), "14".into()],
///     forecast: Forecast {
///         mean: vec![113.0, 114.0],
///         intervals: vec![Interval { level: 80.0, lower: vec![110.0, 109.0], upper: vec![116.0, 119.0] }],
///     },
/// };
/// let svg = fan_chart_svg(&[chart], 1)?;
/// assert!(svg.starts_with("<svg") && svg.contains("华东-张伟"));
/// assert_eq!(svg.matches("<polygon").count(), 1); // one band per level
/// # Ok::<(), salesplan::Error>(())
/// ```
pub fn fan_chart_svg(charts: &[FanChart], columns: usize) -> Result<String> {
    if charts.is_empty() {
        return Err(Error::InvalidParameter {
            name: "charts",
            reason: "no series to draw".into(),
        });
    }
    let columns = columns.clamp(1, charts.len());
    let rows = charts.len().div_ceil(columns);
    let size = (PANEL.0 * columns as u32, PANEL.1 * rows as u32);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).map_err(drawing)?;
        let panels = root.split_evenly((rows, columns));
        for (panel, chart) in panels.iter().zip(charts) {
            draw(panel, chart)?;
        }
        root.present().map_err(drawing)?;
    }
    Ok(svg)
}

fn drawing<E: std::error::Error + Send + Sync>(e: DrawingAreaErrorKind<E>) -> Error {
    Error::InvalidParameter {
        name: "chart",
        reason: format!("cannot draw: {e}"),
    }
}

/// Band colours: the forecast's blue, paler for wider levels.
const BLUE_FAN: RGBColor = RGBColor(0x1f, 0x5f, 0xa8);

fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    chart: &FanChart,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let n = chart.history.len();
    let h = chart.forecast.mean.len();
    let values = chart
        .history
        .iter()
        .map(|(_, y)| *y)
        .chain(chart.forecast.mean.iter().copied())
        .chain(
            chart
                .forecast
                .intervals
                .iter()
                .flat_map(|i| i.lower.iter().chain(&i.upper).copied()),
        )
        .filter(|v| v.is_finite());
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    let (lo, hi) = if lo.is_finite() { (lo, hi) } else { (0.0, 1.0) };
    let pad = if hi > lo {
        0.05 * (hi - lo)
    } else {
        1.0_f64.max(0.05 * hi.abs())
    };
    let labels: Vec<&str> = chart
        .history
        .iter()
        .map(|(l, _)| l.as_str())
        .chain(chart.labels.iter().map(String::as_str))
        .collect();
    let last = (n + h).saturating_sub(1).max(1) as f64;
    let mut c = ChartBuilder::on(area)
        .caption(&chart.title, ("sans-serif", 16))
        .margin(10)
        .x_label_area_size(28)
        .y_label_area_size(64)
        .build_cartesian_2d(0.0..last, (lo - pad)..(hi + pad))
        .map_err(drawing)?;
    let label = |x: &f64| label_at(&labels, *x);
    c.configure_mesh()
        .disable_x_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(RGBColor(0xe4, 0xe4, 0xe4))
        .x_labels(6)
        .x_label_formatter(&label)
        .y_label_formatter(&|y| short_amount(*y))
        .draw()
        .map_err(drawing)?;
    // widest band first, so narrower ones sit on top
    let mut bands: Vec<_> = chart.forecast.intervals.iter().collect();
    bands.sort_by(|a, b| b.level.total_cmp(&a.level));
    for (k, band) in bands.iter().enumerate() {
        let opacity = 0.18 + 0.17 * (k as f64) / (bands.len().max(2) - 1) as f64;
        let points: Vec<(f64, f64)> = (0..h)
            .map(|t| ((n + t) as f64, band.upper[t]))
            .chain((0..h).rev().map(|t| ((n + t) as f64, band.lower[t])))
            .collect();
        c.draw_series(std::iter::once(Polygon::new(
            points,
            BLUE_FAN.mix(opacity).filled(),
        )))
        .map_err(drawing)?;
    }
    if n > 0 {
        c.draw_series(LineSeries::new(
            chart
                .history
                .iter()
                .enumerate()
                .map(|(t, (_, y))| (t as f64, *y)),
            BLACK.stroke_width(1),
        ))
        .map_err(drawing)?;
    }
    c.draw_series(LineSeries::new(
        chart
            .forecast
            .mean
            .iter()
            .enumerate()
            .map(|(t, y)| ((n + t) as f64, *y)),
        BLUE_FAN.stroke_width(2),
    ))
    .map_err(drawing)?;
    Ok(())
}
