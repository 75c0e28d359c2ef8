//! The `salesplan reconcile` command on small files: coherent output,
//! agreement with the library, and bad hierarchies rejected with positions.

mod common;

use common::cli::{clear_outputs, finish, read_output, salesplan};
use tempfile::TempDir;

const TREE: &str =
    "node_id,parent_id\n公司,\n华东,公司\n华南,公司\n张伟,华东\n王芳,华东\n李娜,华南\n";

fn forecasts(values: &[(&str, [f64; 2])]) -> String {
    let mut s = String::from("unique_id,ds,mean\n");
    for (id, v) in values {
        s.push_str(&format!("{id},2027-01,{}\n{id},2027-02,{}\n", v[0], v[1]));
    }
    s
}

fn run(dir: &TempDir, tree: &str, fc: &str, method: &str) -> (i32, String, Option<String>) {
    std::fs::write(dir.path().join("tree.csv"), tree).unwrap();
    std::fs::write(dir.path().join("fc.csv"), fc).unwrap();
    let out = dir.path().join("out.csv");
    clear_outputs(&[&out]);
    let (code, stderr) = finish(
        salesplan()
            .args(["reconcile", "--method", method, "--hierarchy"])
            .arg(dir.path().join("tree.csv"))
            .arg("--forecasts")
            .arg(dir.path().join("fc.csv"))
            .arg("--output")
            .arg(&out),
    );
    (code, stderr, read_output(&out))
}

/// Base forecasts of TREE for two months that do not add up, with 李娜's
/// first month given.
fn incoherent_forecasts(li: f64) -> String {
    forecasts(&[
        ("公司", [1000.0, 1100.0]),
        ("华东", [640.0, 700.0]),
        ("华南", [330.0, 380.0]),
        ("张伟", [300.0, 310.0]),
        ("王芳", [310.0, 350.0]),
        ("李娜", [li, 390.0]),
    ])
}

fn parse(out: &str) -> std::collections::HashMap<(String, String), f64> {
    out.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            ((f[0].to_string(), f[1].to_string()), f[2].parse().unwrap())
        })
        .collect()
}

#[test]
fn every_method_gives_coherent_forecasts() {
    let dir = TempDir::new().unwrap();
    let fc = incoherent_forecasts(345.0);
    for method in [
        "bottom-up",
        "top-down-fp",
        "middle-out:1",
        "mint-ols",
        "mint-wls-struct",
    ] {
        let (code, err, out) = run(&dir, TREE, &fc, method);
        assert_eq!(code, 0, "{method}: {err}");
        let r = parse(&out.unwrap());
        for ds in ["2027-01", "2027-02"] {
            let g = |id: &str| r[&(id.to_string(), ds.to_string())];
            assert!((g("华东") - g("张伟") - g("王芳")).abs() < 1e-9, "{method}");
            assert!((g("公司") - g("华东") - g("华南")).abs() < 1e-9, "{method}");
        }
    }
}

#[test]
fn bad_hierarchies_are_rejected_with_their_position() {
    let dir = TempDir::new().unwrap();
    let fc = forecasts(&[("a", [1.0, 1.0]), ("b", [1.0, 1.0]), ("c", [1.0, 1.0])]);
    for (tree, expect) in [
        (
            "node_id,parent_id\na,\nb,a\nb,a\n",
            "tree.csv:4: duplicate node id 'b' (first defined on line 3)",
        ),
        (
            "node_id,parent_id\na,\nb,x\n",
            "tree.csv:3: node 'b' has parent 'x', which is not in the file",
        ),
        ("node_id,parent_id\na,\nb,c\nc,b\n", "cycle in parent links"),
        ("node_id,parent_id\na,\nb,\n", "2 roots"),
        ("node_id,parent\na,\n", "parent_id"),
    ] {
        let (code, err, out) = run(&dir, tree, &fc, "bottom-up");
        assert_eq!(code, 2, "{tree}");
        assert!(err.contains(expect), "{err}");
        assert!(out.is_none());
    }
}

#[test]
fn missing_forecasts_are_named() {
    let dir = TempDir::new().unwrap();
    let fc = forecasts(&[("公司", [1.0, 1.0]), ("华东", [1.0, 1.0])]);
    let (code, err, _) = run(&dir, TREE, &fc, "mint-ols");
    assert_eq!(code, 2);
    assert!(err.contains("no forecasts for 4 node(s)"), "{err}");
    let (code, err, _) = run(&dir, TREE, &forecasts(&[("x", [1.0, 1.0])]), "nonsense");
    assert_eq!(code, 2, "{err}");
}

#[test]
fn mint_shrink_is_coherent_and_nonnegative_when_asked() {
    let dir = TempDir::new().unwrap();
    // 李娜's base forecast is far below zero
    let fc = incoherent_forecasts(-900.0);
    let mut residuals = String::from("unique_id,ds,y\n");
    for (k, id) in ["公司", "华东", "华南", "张伟", "王芳", "李娜"]
        .iter()
        .enumerate()
    {
        for t in 0..12 {
            let e = ((t * 7 + k * 3) % 11) as f64 - 5.0 + 0.5 * ((t % 4) as f64 - 1.5);
            residuals.push_str(&format!("{id},{},{e}\n", t + 1));
        }
    }
    std::fs::write(dir.path().join("tree.csv"), TREE).unwrap();
    std::fs::write(dir.path().join("fc.csv"), &fc).unwrap();
    std::fs::write(dir.path().join("res.csv"), &residuals).unwrap();
    let out = dir.path().join("out.csv");
    for (nonnegative, negative_allowed) in [(false, true), (true, false)] {
        clear_outputs(&[&out]);
        let mut command = salesplan();
        command
            .args(["reconcile", "--method", "mint-shrink", "--hierarchy"])
            .arg(dir.path().join("tree.csv"))
            .arg("--forecasts")
            .arg(dir.path().join("fc.csv"))
            .arg("--residuals")
            .arg(dir.path().join("res.csv"))
            .arg("--output")
            .arg(&out);
        if nonnegative {
            command.arg("--nonnegative");
        }
        let (code, stderr) = finish(&mut command);
        assert_eq!(code, 0, "{stderr}");
        let v = parse(&read_output(&out).unwrap());
        for ds in ["2027-01", "2027-02"] {
            let at = |id: &str| v[&(id.to_string(), ds.to_string())];
            assert!((at("华东") - at("张伟") - at("王芳")).abs() < 1e-6);
            assert!((at("华南") - at("李娜")).abs() < 1e-6);
            assert!((at("公司") - at("华东") - at("华南")).abs() < 1e-6);
        }
        let li = v[&("李娜".to_string(), "2027-01".to_string())];
        assert_eq!(li < 0.0, negative_allowed, "{li}");
        if nonnegative {
            assert_eq!(li, 0.0);
        }
    }
}

/// Zeros are written without a sign: leaves forecast at -0 (as a model
/// censored at zero can give) add up to 0, never "-0" (issue 10, item 11).
#[test]
fn zeros_are_written_without_a_sign() {
    let dir = TempDir::new().unwrap();
    let fc = forecasts(&[
        ("公司", [0.0, 10.0]),
        ("华东", [0.0, 5.0]),
        ("华南", [0.0, 5.0]),
        ("张伟", [-0.0, 2.0]),
        ("王芳", [-0.0, 3.0]),
        ("李娜", [-0.0, 5.0]),
    ]);
    assert!(fc.contains(",-0\n"));
    let (code, stderr, out) = run(&dir, TREE, &fc, "bottom-up");
    assert_eq!(code, 0, "{stderr}");
    let out = out.unwrap();
    assert!(!out.contains(",-0"), "{out}");
    assert!(out.contains("公司,2027-01,0\n"), "{out}");
}
