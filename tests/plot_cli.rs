//! `salesplan plot`: fan charts as SVG, checked by structure — one panel
//! per series with its title, one band per level, a mean line with one
//! point per forecast step and a history line with one per period — on
//! 12 M3 series, on reps of the demo company and on names in Chinese; bad
//! input refused with its place.

mod common;

use std::path::{Path, PathBuf};

use common::cli::{finish, read_output, salesplan, write_file};
use tempfile::TempDir;

const M3: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/datasets/m3_monthly.csv");

/// Forecasts `input` for `h` periods into `dir`/f.csv with `extra` options.
fn forecast(dir: &TempDir, input: &Path, h: &str, extra: &[&str]) -> PathBuf {
    let out = dir.path().join("f.csv");
    let (code, stderr) = finish(
        salesplan()
            .args(["forecast", "-q", "--horizon", h, "--input"])
            .arg(input)
            .arg("--output")
            .arg(&out)
            .args(extra),
    );
    assert!(code <= 1, "{stderr}");
    out
}

fn plot(dir: &TempDir, args: &[&str]) -> (i32, String, Option<String>) {
    let out = dir.path().join("fan.svg");
    let _ = std::fs::remove_file(&out);
    let (code, stderr) = finish(salesplan().arg("plot").args(args).arg("--output").arg(&out));
    (code, stderr, read_output(&out))
}

/// The point counts of the SVG's polylines drawn with `stroke` at `width`.
fn polylines(svg: &str, stroke: &str, width: &str) -> Vec<usize> {
    svg.split("<polyline")
        .skip(1)
        .filter(|p| p.contains(&format!("stroke=\"{stroke}\" stroke-width=\"{width}\"")))
        .map(|p| {
            let points = p
                .split("points=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap();
            points.split_whitespace().count()
        })
        .collect()
}

/// The text of the SVG's `<text>` elements.
fn texts_of(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .map(|t| {
            t.split_once('>')
                .unwrap()
                .1
                .split("</text>")
                .next()
                .unwrap()
                .trim()
                .to_string()
        })
        .collect()
}

#[test]
fn twelve_m3_series_each_get_history_mean_and_a_band_per_level() {
    let dir = TempDir::new().unwrap();
    let f = forecast(&dir, Path::new(M3), "18", &["--season-length", "12"]);
    let (code, stderr, svg) = plot(&dir, &["--forecasts", f.to_str().unwrap(), "--history", M3]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("12 series drawn"), "{stderr}");
    let svg = svg.unwrap();
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    // 12 panels, 3 a row: 1440 × 1200
    assert!(
        svg.contains("width=\"1440\" height=\"1200\""),
        "{}",
        &svg[..200]
    );
    assert_eq!(
        svg.matches("<polygon").count(),
        12 * 2,
        "one band per level"
    );
    assert_eq!(polylines(&svg, "#1F5FA8", "2"), vec![18; 12], "mean lines");
    // the first 12 series' lengths, in id order
    let text = std::fs::read_to_string(M3).unwrap();
    let mut lengths: Vec<(String, usize)> = Vec::new();
    for line in text.lines().skip(1) {
        let id = line.split(',').next().unwrap();
        match lengths.last_mut() {
            Some((last, n)) if last == id => *n += 1,
            _ => lengths.push((id.to_string(), 1)),
        }
    }
    let history: Vec<usize> = polylines(&svg, "#000000", "1")
        .into_iter()
        .filter(|&n| n > 2)
        .collect();
    assert_eq!(
        history,
        lengths.iter().take(12).map(|l| l.1).collect::<Vec<_>>()
    );
    let texts = texts_of(&svg);
    for (id, _) in lengths.iter().take(12) {
        assert!(
            texts.contains(&format!("{id} · AutoETS · 80%, 95%")),
            "{id}: {texts:?}"
        );
    }
    // axes: tick labels on both, per panel
    assert!(
        texts
            .iter()
            .filter(|t| t.parse::<f64>().is_ok() || t.ends_with('k'))
            .count()
            >= 12 * 6
    );

    // --series picks and orders; --history-periods cuts the history
    let (code, stderr, svg) = plot(
        &dir,
        &[
            "--forecasts",
            f.to_str().unwrap(),
            "--history",
            M3,
            "--series",
            "N1405,N1402",
            "--history-periods",
            "24",
            "--per-row",
            "1",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let svg = svg.unwrap();
    assert!(svg.contains("width=\"480\" height=\"600\""));
    let history: Vec<usize> = polylines(&svg, "#000000", "1")
        .into_iter()
        .filter(|&n| n > 2)
        .collect();
    assert_eq!(history, [24, 24]);
    let titles: Vec<String> = texts_of(&svg)
        .into_iter()
        .filter(|t| t.contains('·'))
        .collect();
    assert_eq!(
        titles,
        ["N1405 · AutoETS · 80%, 95%", "N1402 · AutoETS · 80%, 95%"]
    );
}

#[test]
fn chinese_names_are_text_and_methods_without_intervals_have_no_band() {
    let dir = TempDir::new().unwrap();
    let mut csv = String::from("unique_id,ds,y\n");
    for (k, id) in ["华东-张伟", "华南-李娜"].iter().enumerate() {
        for t in 0..24 {
            let v = if k == 1 && t % 3 != 0 { 0 } else { 100 + t };
            csv.push_str(&format!("{id},{}-{:02},{v}\n", 2023 + t / 12, t % 12 + 1));
        }
    }
    let input = write_file(dir.path(), "sales.csv", &csv);
    let f = forecast(&dir, &input, "6", &[]);
    let (code, stderr, svg) = plot(
        &dir,
        &[
            "--forecasts",
            f.to_str().unwrap(),
            "--history",
            input.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let svg = svg.unwrap();
    let texts = texts_of(&svg);
    assert!(
        texts.iter().any(|t| t.starts_with("华东-张伟 · ")),
        "{texts:?}"
    );
    assert!(
        texts.iter().any(|t| t.starts_with("华南-李娜 · ")),
        "{texts:?}"
    );
    // Croston has no intervals: no band, the mean drawn
    let f = forecast(&dir, &input, "6", &["--model", "croston"]);
    let (code, stderr, svg) = plot(&dir, &["--forecasts", f.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let svg = svg.unwrap();
    assert_eq!(svg.matches("<polygon").count(), 0);
    assert_eq!(polylines(&svg, "#1F5FA8", "2"), [6, 6]);
}

#[test]
fn bad_input_is_refused_with_its_place_and_nothing_written() {
    let dir = TempDir::new().unwrap();
    let f = write_file(
        dir.path(),
        "f.csv",
        "unique_id,ds,model,mean,lo-80,hi-80\na,1,Naive,5,4,6\na,2,Naive,x,4,6\n",
    );
    let (code, stderr, svg) = plot(&dir, &["--forecasts", f.to_str().unwrap()]);
    assert_eq!((code, svg), (2, None));
    assert!(
        stderr.contains("f.csv:3: column 'mean': not a number (value 'x')"),
        "{stderr}"
    );
    let f = write_file(
        dir.path(),
        "f.csv",
        "unique_id,ds,model,mean\na,1,Naive,5\n",
    );
    let (code, stderr, svg) = plot(&dir, &["--forecasts", f.to_str().unwrap(), "--series", "b"]);
    assert_eq!((code, svg), (2, None));
    assert!(
        stderr.contains("--series 'b': not among the 1 series forecast in"),
        "{stderr}"
    );
    let out = dir.path().join("fan.pdf");
    let (code, stderr) = finish(
        salesplan()
            .args(["plot", "--forecasts", f.to_str().unwrap(), "--output"])
            .arg(&out),
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("plot writes SVG or PNG"), "{stderr}");
    assert!(!out.exists());
}

#[test]
fn a_png_name_gets_a_picture_of_the_charts_size() {
    let dir = TempDir::new().unwrap();
    let f = forecast(&dir, Path::new(M3), "18", &["--season-length", "12"]);
    let svg_out = dir.path().join("fan.svg");
    let png_out = dir.path().join("fan.png");
    for out in [&svg_out, &png_out] {
        let (code, stderr) = finish(
            salesplan()
                .args(["plot", "-q", "--forecasts"])
                .arg(&f)
                .args([
                    "--history",
                    M3,
                    "--first",
                    "4",
                    "--per-row",
                    "2",
                    "--output",
                ])
                .arg(out),
        );
        assert_eq!(code, 0, "{stderr}");
    }
    let png = std::fs::read(&png_out).unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    // the IHDR chunk: width and height, as the SVG's 2 × 2 panels of 480 × 300
    let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(png[20..24].try_into().unwrap());
    assert_eq!((width, height), (960, 600));
    assert!(std::fs::read_to_string(&svg_out)
        .unwrap()
        .starts_with("<svg"));
    assert!(
        png.len() > 20_000,
        "a picture with content, {} bytes",
        png.len()
    );
}

#[test]
fn the_demo_companys_reps_get_their_fans() {
    let dir = TempDir::new().unwrap();
    let sales = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/datasets/demo/sales_monthly.csv"
    );
    let f = forecast(&dir, Path::new(sales), "12", &["--season-length", "12"]);
    let reps = ["E0001", "E0003", "E0013"];
    let (code, stderr, svg) = plot(
        &dir,
        &[
            "--forecasts",
            f.to_str().unwrap(),
            "--history",
            sales,
            "--series",
            &reps.join(","),
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let svg = svg.unwrap();
    assert_eq!(svg.matches("<polygon").count(), 3 * 2, "one band per level");
    assert_eq!(polylines(&svg, "#1F5FA8", "2"), [12, 12, 12], "mean lines");
    // each rep's months of history, counted from the file
    let text = std::fs::read_to_string(sales).unwrap();
    let months: Vec<usize> = reps
        .iter()
        .map(|r| {
            text.lines()
                .filter(|l| l.starts_with(&format!("{r},")))
                .count()
        })
        .collect();
    let history: Vec<usize> = polylines(&svg, "#000000", "1")
        .into_iter()
        .filter(|&n| n > 2)
        .collect();
    assert_eq!(history, months);
    let titles: Vec<String> = texts_of(&svg)
        .into_iter()
        .filter(|t| t.contains('·'))
        .collect();
    assert_eq!(titles.len(), 3);
    for (t, r) in titles.iter().zip(reps) {
        assert!(t.starts_with(&format!("{r} · ")), "{titles:?}");
    }
}
