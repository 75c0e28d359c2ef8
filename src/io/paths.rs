//! Refusing a run that would write over one of its own files.
//!
//! An output path that is also an input (or another output) of the same
//! run would destroy that file: the input is replaced by the output, or
//! the second output by the first. [`check_distinct`] compares the files
//! themselves, not the spellings of their paths: an existing file by its
//! device and inode (so symbolic and hard links to it count as the same
//! file), a file not yet written by the canonical form of its folder and
//! its name.
//!
//! ```
//! use std::path::Path;
//! use salesplan::io::check_distinct;
//! let dir = tempfile::tempdir().unwrap();
//! let input = dir.path().join("sales.csv");
//! std::fs::write(&input, "unique_id,ds,y\n").unwrap();
//! let output = dir.path().join("forecast.csv");
//! assert!(check_distinct(&[("--input", &input)], &[("--output", &output)]).is_ok());
//! // the same file under another spelling
//! let again = dir.path().join(".").join("sales.csv");
//! let err = check_distinct(&[("--input", &input)], &[("--output", &again)]).unwrap_err();
//! assert!(err.to_string().contains("--input"), "{err}");
//! ```

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// What makes two paths the same file.
#[derive(Debug, PartialEq, Eq)]
enum FileIdentity {
    /// An existing file: device and inode (Unix), or its canonical path.
    Existing(u64, u64),
    /// A path: canonical where it can be made so.
    Path(PathBuf),
    /// `-`: standard input as an input, standard output as an output.
    Stream,
}

fn identity(path: &Path) -> FileIdentity {
    if super::is_standard_stream(path) {
        return FileIdentity::Stream;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // follows symbolic links, so a link and its target agree
        if let Ok(meta) = std::fs::metadata(path) {
            return FileIdentity::Existing(meta.dev(), meta.ino());
        }
    }
    if let Ok(canonical) = path.canonicalize() {
        return FileIdentity::Path(canonical);
    }
    // not written yet: the canonical folder and the name
    let name = path.file_name().map(PathBuf::from).unwrap_or_default();
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    match folder.canonicalize() {
        Ok(folder) => FileIdentity::Path(folder.join(name)),
        Err(_) => FileIdentity::Path(path.to_path_buf()),
    }
}

/// Fails when an output is the same file as an input or as another
/// output of the same run. `inputs` and `outputs` pair each path with the
/// option that named it (for the message).
///
/// On Unix an output that does not exist yet cannot be an existing
/// input's inode, so two such paths are compared by their canonical
/// folder and name.
pub fn check_distinct(inputs: &[(&str, &Path)], outputs: &[(&str, &Path)]) -> Result<()> {
    // standard input can be read once, and it is not standard output
    let streams: Vec<&str> = inputs
        .iter()
        .filter(|(_, p)| super::is_standard_stream(p))
        .map(|(option, _)| *option)
        .collect();
    if let [first, second, ..] = streams[..] {
        return Err(Error::File {
            path: PathBuf::from(super::STANDARD_STREAM),
            reason: format!(
                "{first} and {second} both read standard input, which can be read once; give one of them a file"
            ),
        });
    }
    let inputs: Vec<(&str, &Path)> = inputs
        .iter()
        .copied()
        .filter(|(_, p)| !super::is_standard_stream(p))
        .collect();
    // every file seen so far: inputs first, then the outputs before this one
    let mut seen: Vec<(&str, &Path, FileIdentity, bool)> = inputs
        .iter()
        .map(|(option, path)| (*option, *path, identity(path), true))
        .collect();
    for (option, path) in outputs {
        let id = identity(path);
        if let Some((other, other_path, _, input)) = seen.iter().find(|s| s.2 == id) {
            let (what, advice) = if id == FileIdentity::Stream {
                ("", "only one output can go to standard output")
            } else if *input {
                (
                    "the input ",
                    "refusing to overwrite an input; write to another path",
                )
            } else {
                ("", "the run writes both; give each its own path")
            };
            return Err(Error::File {
                path: path.to_path_buf(),
                reason: format!(
                    "{option} is the same file as {what}{other} ({}): {advice}",
                    other_path.display()
                ),
            });
        }
        seen.push((option, path, id, false));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_and_outputs_are_caught() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.csv");
        std::fs::write(&input, "x\n").unwrap();
        let out = dir.path().join("out.csv");
        let report = dir.path().join("report.csv");
        assert!(check_distinct(
            &[("--input", &input)],
            &[("--output", &out), ("--report", &report)]
        )
        .is_ok());
        // two outputs, neither written yet
        let err = check_distinct(
            &[("--input", &input)],
            &[("--output", &out), ("--report", &out)],
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("--report") && err.contains("--output"),
            "{err}"
        );
        #[cfg(unix)]
        {
            let soft = dir.path().join("soft.csv");
            std::os::unix::fs::symlink(&input, &soft).unwrap();
            assert!(check_distinct(&[("--input", &input)], &[("--output", &soft)]).is_err());
            let hard = dir.path().join("hard.csv");
            std::fs::hard_link(&input, &hard).unwrap();
            assert!(check_distinct(&[("--input", &input)], &[("--output", &hard)]).is_err());
        }
    }
}
