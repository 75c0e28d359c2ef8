//! `-` for standard input and output, as Unix tools and statsforecast's
//! users' shell pipelines expect: `salesplan forecast --input - --output -`.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::plan::org::OrgTree;

/// The path that means standard input (as an input) or standard output
/// (as an output).
pub const STANDARD_STREAM: &str = "-";

/// Whether `path` is `-`.
///
/// ```
/// assert!(salesplan::io::is_standard_stream("-".as_ref()));
/// assert!(!salesplan::io::is_standard_stream("./-".as_ref()));
/// ```
pub fn is_standard_stream(path: &Path) -> bool {
    path.as_os_str() == STANDARD_STREAM
}

/// Opens an input for reading: standard input for `-`, else the file.
/// Returns the reader and the name errors give it (`<stdin>` or the path).
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("a.csv");
/// std::fs::write(&path, "x\n").unwrap();
/// let (mut reader, name) = salesplan::io::open_input(&path).unwrap();
/// let mut text = String::new();
/// reader.read_to_string(&mut text).unwrap();
/// assert_eq!((text.as_str(), name), ("x\n", path));
/// ```
pub fn open_input(path: &Path) -> Result<(Box<dyn Read>, PathBuf)> {
    if is_standard_stream(path) {
        return Ok((Box::new(std::io::stdin().lock()), PathBuf::from("<stdin>")));
    }
    let file = std::fs::File::open(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    Ok((Box::new(file), path.to_path_buf()))
}

/// Reads an org tree ([`OrgTree::read_from`]) from a file or, for `-`,
/// from standard input.
pub fn read_org(path: &Path) -> Result<OrgTree> {
    let (reader, name) = open_input(path)?;
    OrgTree::read_from(reader, &name)
}
