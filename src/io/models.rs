//! Saved fitted models as a JSON file ([`crate::forecast::saved`]).
//!
//! ```
//! use salesplan::forecast::batch::{forecast_batch, ForecastJob, ModelChoice};
//! use salesplan::forecast::saved::SavedModels;
//! use salesplan::io::{read_models, write_models};
//! let series = vec![salesplan::Series::new("a", vec![3.0, 4.0, 5.0, 4.0, 6.0])?];
//! let job = ForecastJob::new(ModelChoice::Naive, 2, vec![80.0], None)?.with_kept_fits();
//! let outcomes = forecast_batch(&series, &job, &|| {});
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("models.json");
//! write_models(&path, &SavedModels::from_batch(&job, &series, &outcomes, None)?)?;
//! assert_eq!(read_models(&path)?.series[0].id, "a");
//! std::fs::write(&path, "{\"format\": 1}").unwrap();
//! assert!(read_models(&path).unwrap_err().to_string().contains("not a salesplan models file"));
//! # Ok::<(), salesplan::Error>(())
//! ```

use std::io::{BufReader, BufWriter, Write};
use std::path::Path;

use crate::error::{Error, Result};
use crate::forecast::saved::SavedModels;

use super::atomic::write_atomically;
use super::stdio::open_input;

/// Writes `models` to `path` as JSON, atomically (`-`: standard output).
pub fn write_models(path: &Path, models: &SavedModels) -> Result<()> {
    let io_error = |source: std::io::Error| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    write_atomically(path, |w| {
        let mut out = BufWriter::new(w);
        serde_json::to_writer(&mut out, models).map_err(|e| io_error(e.into()))?;
        out.write_all(b"\n").map_err(io_error)?;
        out.flush().map_err(io_error)
    })
}

/// Reads saved models from `path` (`-`: standard input) and checks they
/// are a layout this build reads; errors name the file, and where the
/// JSON is broken, its line and column.
pub fn read_models(path: &Path) -> Result<SavedModels> {
    let (reader, name) = open_input(path)?;
    let models: SavedModels =
        serde_json::from_reader(BufReader::new(reader)).map_err(|e| Error::File {
            path: name.clone(),
            reason: format!("not a salesplan models file (written by forecast --save-models): {e}"),
        })?;
    models.check().map_err(|e| Error::File {
        path: name,
        reason: e.to_string(),
    })?;
    Ok(models)
}
