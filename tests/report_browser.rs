//! The demo's sales plan report opened in a real browser: headless
//! Chromium (Debian's `chromium`, which `.ci/run` installs) loads it
//! without errors (its script runs to the end and the console shows no
//! error), every section is there with charts that are not blank in a
//! screenshot, Chinese names are text in the rendered page and are drawn
//! with a CJK font in the PDF, and the page prints to PDF.
//!
//! Without Chromium the test fails and says how to install it; set
//! `SALESPLAN_SKIP_BROWSER=1` to skip it on a machine without one.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::cli::{finish, salesplan};
use common::demo_run::demo_run;

/// The browser to run: `SALESPLAN_CHROMIUM`, else the first of Chromium's
/// usual names on the `PATH`.
fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("SALESPLAN_CHROMIUM") {
        return Some(path.into());
    }
    let names = [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ];
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
            .find(|p| p.is_file())
    })
}

/// Runs headless Chromium on `page` with `args`: (stdout, stderr).
fn browse(browser: &Path, page: &Path, args: &[String]) -> (String, String) {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The page's console errors and uncaught exceptions in Chromium's log.
fn console_errors(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.contains("CONSOLE") || l.contains("Uncaught"))
        .collect()
}

/// The share of pixels that are not white-ish, and the number of distinct
/// colours, in a PNG.
fn ink(png: &Path) -> (f64, usize) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(png).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let pixels = buf[..info.buffer_size()].chunks(channels);
    let (mut inked, mut total) = (0usize, 0usize);
    let mut colours = std::collections::HashSet::new();
    for p in pixels {
        total += 1;
        if p[..3].iter().any(|&c| c < 235) {
            inked += 1;
        }
        colours.insert([p[0] >> 3, p[1] >> 3, p[2] >> 3]);
    }
    (inked as f64 / total as f64, colours.len())
}

#[test]
fn the_demo_report_loads_in_chromium_with_every_section_drawn_and_prints_to_pdf() {
    let Some(browser) = chromium() else {
        if std::env::var_os("SALESPLAN_SKIP_BROWSER").is_some() {
            eprintln!("skipped: no Chromium (SALESPLAN_SKIP_BROWSER is set)");
            return;
        }
        panic!(
            "this test renders the report in headless Chromium: install it (Debian: apt-get install chromium fonts-wqy-microhei), name it in SALESPLAN_CHROMIUM, or set SALESPLAN_SKIP_BROWSER=1 to skip"
        );
    };
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report_browser");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let run = demo_run(&dir);
    let page = dir.join("report.html");
    let (code, stderr) = finish(salesplan().args(run.report_args(&page)));
    assert_eq!(code, 0, "{stderr}");

    // the page as the browser built it, after its script ran
    let (dom, log) = browse(&browser, &page, &["--dump-dom".into()]);
    assert!(
        console_errors(&log).is_empty(),
        "{:?}",
        console_errors(&log)
    );
    assert!(
        dom.contains("data-ready=\"1\""),
        "the page's script ran to its end"
    );
    for id in ["forecast", "plan", "table", "sweep", "track"] {
        assert!(dom.contains(&format!("<section id=\"{id}\"")), "{id}");
    }
    for name in ["星河商贸有限公司", "华东大区", "上海销售一部", "宋国庆"] {
        assert!(dom.contains(name), "{name} as text");
    }

    // each section alone, screenshot: charts drawn, not blank
    for (section, min_ink) in [
        ("forecast", 0.03),
        ("plan", 0.03),
        ("table", 0.03),
        ("sweep", 0.02),
        ("track", 0.02),
    ] {
        let one = dir.join(format!("{section}.html"));
        let mut args = run.report_args(&one);
        args.extend([
            "--sections".into(),
            section.into(),
            "--table-rows".into(),
            "40".into(),
        ]);
        let (code, stderr) = finish(salesplan().args(&args));
        assert_eq!(code, 0, "{stderr}");
        let shot = dir.join(format!("{section}.png"));
        let (_, log) = browse(
            &browser,
            &one,
            &[
                "--window-size=1400,1100".into(),
                format!("--screenshot={}", shot.display()),
            ],
        );
        assert!(
            console_errors(&log).is_empty(),
            "{section}: {:?}",
            console_errors(&log)
        );
        let (share, colours) = ink(&shot);
        assert!(share > min_ink, "{section}: {share:.3} of the pixels drawn");
        assert!(colours > 20, "{section}: {colours} colours");
    }

    // the whole report prints to PDF (A4 landscape pages), with a CJK font
    let pdf = dir.join("report.pdf");
    browse(
        &browser,
        &page,
        &[
            format!("--print-to-pdf={}", pdf.display()),
            "--no-pdf-header-footer".into(),
        ],
    );
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF"));
    let text = String::from_utf8_lossy(&bytes);
    let pages = text
        .match_indices("/Type /Page")
        .filter(|(k, m)| text.as_bytes().get(k + m.len()) != Some(&b's'))
        .count();
    assert!(pages >= 5, "the report spans {pages} pages");
    // A4 landscape: 842 × 595 points
    assert!(text.contains("/MediaBox [0 0 841.9"), "landscape A4");
    let fonts: Vec<&str> = text
        .split("/BaseFont /")
        .skip(1)
        .filter_map(|f| f.split(|c: char| c.is_whitespace() || c == '/').next())
        .collect();
    let cjk = [
        "WenQuanYi",
        "NotoSansCJK",
        "NotoSerifCJK",
        "DroidSansFallback",
        "SourceHanSans",
    ];
    assert!(
        fonts.iter().any(|f| cjk.iter().any(|c| f.contains(c))),
        "the Chinese names are drawn in a CJK font: {fonts:?}"
    );
}
