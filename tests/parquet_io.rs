//! Parquet in and out, chosen by the `.parquet` extension: the same series
//! and forecasts as from CSV, the same checks, typed periods on output.

mod common;

use std::path::Path;
use std::sync::Arc;

use arrow_array::types::Int32Type;
use arrow_array::{
    Array, ArrayRef, Date32Array, DictionaryArray, Float64Array, Int32Array, RecordBatch,
    StringArray, TimestampMillisecondArray,
};
use arrow_schema::{DataType, Field, Schema};
use common::cli::{finish, read_output, salesplan, write_file};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ArrowWriter;
use tempfile::TempDir;

/// Writes `columns` as a Parquet file (nullable columns).
fn write_parquet(path: &Path, columns: Vec<(&str, ArrayRef)>) {
    let fields: Vec<Field> = columns
        .iter()
        .map(|(n, a)| Field::new(*n, a.data_type().clone(), true))
        .collect();
    let schema = Arc::new(Schema::new(fields));
    let batch =
        RecordBatch::try_new(schema.clone(), columns.into_iter().map(|c| c.1).collect()).unwrap();
    let mut writer =
        ArrowWriter::try_new(std::fs::File::create(path).unwrap(), schema, None).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
}

fn read_parquet(path: &Path) -> RecordBatch {
    let file = std::fs::File::open(path).unwrap();
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .build()
        .unwrap();
    let batches: Vec<RecordBatch> = reader.map(|b| b.unwrap()).collect();
    arrow_select_concat(&batches)
}

fn arrow_select_concat(batches: &[RecordBatch]) -> RecordBatch {
    assert_eq!(batches.len(), 1, "small files come back as one batch");
    batches[0].clone()
}

/// Two monthly series, as CSV text and as (id, days since 1970, value) rows.
fn two_series() -> (String, Vec<(String, i32, f64)>) {
    let mut csv = String::from("unique_id,ds,y\n");
    let mut rows = Vec::new();
    for (k, id) in ["华东-张伟", "b"].iter().enumerate() {
        for t in 0..36 {
            let (y, m) = (2021 + t / 12, t % 12 + 1);
            let date = chrono::NaiveDate::from_ymd_opt(y, m as u32, 1).unwrap();
            let days =
                (date - chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()).num_days() as i32;
            let v = 100.0 + 10.0 * k as f64 + t as f64 + [5.0, -3.0, 2.0, 0.0][t as usize % 4];
            csv.push_str(&format!("{id},{date},{v}\n"));
            rows.push((id.to_string(), days, v));
        }
    }
    (csv, rows)
}

fn forecast(dir: &Path, input: &Path, output: &str, extra: &[&str]) -> (i32, String) {
    finish(
        salesplan()
            .current_dir(dir)
            .args(["forecast", "--horizon", "6", "--output", output])
            .arg("--input")
            .arg(input)
            .args(extra),
    )
}

#[test]
fn a_parquet_table_forecasts_as_its_csv_and_the_output_reads_back_typed() {
    let dir = TempDir::new().unwrap();
    let (csv, rows) = two_series();
    let csv_path = write_file(dir.path(), "in.csv", &csv);
    let pq = dir.path().join("in.parquet");
    // ids dictionary-encoded (as pandas' categoricals), rows in reverse order
    let rows: Vec<_> = rows.into_iter().rev().collect();
    let ids: DictionaryArray<Int32Type> = rows.iter().map(|r| r.0.as_str()).collect();
    write_parquet(
        &pq,
        vec![
            ("unique_id", Arc::new(ids)),
            (
                "ds",
                Arc::new(Date32Array::from(
                    rows.iter().map(|r| r.1).collect::<Vec<_>>(),
                )),
            ),
            (
                "y",
                Arc::new(Float64Array::from(
                    rows.iter().map(|r| r.2).collect::<Vec<_>>(),
                )),
            ),
        ],
    );
    let (code, err) = forecast(dir.path(), &csv_path, "from_csv.csv", &[]);
    assert_eq!(code, 0, "{err}");
    let (code, err) = forecast(dir.path(), &pq, "from_parquet.csv", &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        read_output(dir.path().join("from_parquet.csv")),
        read_output(dir.path().join("from_csv.csv"))
    );

    // Parquet out: the CSV's columns, dates as dates, the same numbers
    let (code, err) = forecast(dir.path(), &pq, "out.parquet", &[]);
    assert_eq!(code, 0, "{err}");
    let batch = read_parquet(&dir.path().join("out.parquet"));
    let schema = batch.schema();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(
        names,
        [
            "unique_id",
            "ds",
            "model",
            "mean",
            "lo-80",
            "hi-80",
            "lo-95",
            "hi-95"
        ]
    );
    assert_eq!(batch.column(1).data_type(), &DataType::Date32);
    let text = read_output(dir.path().join("from_csv.csv")).unwrap();
    let means: Vec<f64> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(3).unwrap().parse().unwrap())
        .collect();
    let got = batch
        .column(3)
        .as_any()
        .downcast_ref::<Float64Array>()
        .unwrap();
    assert_eq!(got.values().to_vec(), means);
    let ids = batch
        .column(0)
        .as_any()
        .downcast_ref::<StringArray>()
        .unwrap();
    assert_eq!(ids.value(0), "b");
    assert_eq!(ids.value(6), "华东-张伟");
    // and reads back as a long table
    let (code, err) = finish(salesplan().current_dir(dir.path()).args([
        "forecast",
        "--input",
        "out.parquet",
        "--value-col",
        "mean",
        "--horizon",
        "1",
        "--model",
        "naive",
        "--output",
        "again.csv",
    ]));
    assert_eq!(code, 0, "{err}");
    assert!(read_output(dir.path().join("again.csv"))
        .unwrap()
        .contains("b,2024-07-01,Naive,"));
}

#[test]
fn integer_periods_and_the_wide_layout_in_parquet() {
    let dir = TempDir::new().unwrap();
    let pq = dir.path().join("in.parquet");
    let n = 30;
    write_parquet(
        &pq,
        vec![
            ("unique_id", Arc::new(StringArray::from(vec!["s"; n]))),
            (
                "ds",
                Arc::new(Int32Array::from((1..=n as i32).collect::<Vec<_>>())),
            ),
            (
                "y",
                Arc::new(Float64Array::from(
                    (0..n).map(|t| 50.0 + (t % 5) as f64).collect::<Vec<_>>(),
                )),
            ),
        ],
    );
    let (code, err) = forecast(
        dir.path(),
        &pq,
        "wide.parquet",
        &["--wide", "--model", "croston"],
    );
    assert_eq!(code, 0, "{err}");
    let batch = read_parquet(&dir.path().join("wide.parquet"));
    let schema = batch.schema();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(
        names,
        [
            "unique_id",
            "ds",
            "CrostonClassic",
            "CrostonClassic-lo-80",
            "CrostonClassic-lo-95",
            "CrostonClassic-hi-80",
            "CrostonClassic-hi-95"
        ]
    );
    assert_eq!(batch.column(1).data_type(), &DataType::Int64);
    // croston has no intervals: its bounds are nulls, not zeros
    assert_eq!(batch.column(3).null_count(), 6);
}

#[test]
fn bad_parquet_input_is_refused_naming_the_row_and_nothing_is_written() {
    let dir = TempDir::new().unwrap();
    let refused = |name: &str, columns: Vec<(&str, ArrayRef)>, says: &str| {
        let path = dir.path().join(name);
        write_parquet(&path, columns);
        let (code, err) = forecast(dir.path(), &path, "out.csv", &[]);
        assert_eq!(code, 2, "{name}: {err}");
        assert!(err.contains(says), "{name}: expected '{says}' in {err}");
        assert!(!dir.path().join("out.csv").exists());
    };
    let ids = || -> ArrayRef { Arc::new(StringArray::from(vec!["a"; 4])) };
    let days = || -> ArrayRef { Arc::new(Date32Array::from(vec![19723, 19754, 19783, 19814])) };
    refused(
        "null.parquet",
        vec![
            ("unique_id", ids()),
            ("ds", days()),
            (
                "y",
                Arc::new(Float64Array::from(vec![
                    Some(1.0),
                    None,
                    Some(2.0),
                    Some(3.0),
                ])),
            ),
        ],
        "null.parquet:2: column 'y': missing value",
    );
    refused(
        "nan.parquet",
        vec![
            ("unique_id", ids()),
            ("ds", days()),
            (
                "y",
                Arc::new(Float64Array::from(vec![1.0, 2.0, f64::NAN, 3.0])),
            ),
        ],
        "nan.parquet:3: column 'y': missing or not a finite number",
    );
    refused(
        "time.parquet",
        vec![
            ("unique_id", ids()),
            (
                "ds",
                Arc::new(TimestampMillisecondArray::from(vec![
                    0,
                    86_400_000,
                    2 * 86_400_000 + 1,
                    3 * 86_400_000,
                ])),
            ),
            ("y", Arc::new(Float64Array::from(vec![1.0; 4]))),
        ],
        "time.parquet:3: column 'ds': a time of day",
    );
    refused(
        "dup.parquet",
        vec![
            ("unique_id", ids()),
            ("ds", Arc::new(Date32Array::from(vec![19723, 19754, 19754, 19814]))),
            ("y", Arc::new(Float64Array::from(vec![1.0; 4]))),
        ],
        "dup.parquet:3: column 'ds': series 'a': duplicate (unique_id, ds) = ('a', '2024-02-01'): also on line 2",
    );
    refused(
        "nocol.parquet",
        vec![
            ("unique_id", ids()),
            ("ds", days()),
            ("sales", Arc::new(Float64Array::from(vec![1.0; 4]))),
        ],
        "column 'y': missing column; the table has 'unique_id', 'ds', 'sales'",
    );
    let text = write_file(dir.path(), "text.parquet", "unique_id,ds,y\na,1,2\n");
    let (code, err) = forecast(dir.path(), &text, "out.csv", &[]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("text.parquet: not a readable Parquet file"),
        "{err}"
    );
}

#[test]
fn an_output_that_cannot_be_parquet_is_refused_before_the_run() {
    let dir = TempDir::new().unwrap();
    let (csv, _) = two_series();
    let input = write_file(dir.path(), "in.csv", &csv);
    let (code, err) = forecast(
        dir.path(),
        &input,
        "out.parquet",
        &["--report", "report.parquet"],
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("--report report.parquet: this output is written as CSV"),
        "{err}"
    );
    assert!(
        !dir.path().join("out.parquet").exists(),
        "nothing is written"
    );
    let (code, err) = finish(
        salesplan()
            .current_dir(dir.path())
            .args([
                "backtest",
                "--horizon",
                "3",
                "--windows",
                "1",
                "--output",
                "m.parquet",
                "--input",
            ])
            .arg(&input),
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("--output m.parquet: this output is written as CSV"),
        "{err}"
    );
}
