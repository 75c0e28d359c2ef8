//! All-or-nothing file writes.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{Error, Result};

/// The temporary files of the writes in progress, so that a program
/// stopped by a signal can remove them ([`remove_pending_temporaries`]).
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Keeps a temporary file in [`PENDING`] while it lives.
struct Pending(PathBuf);

impl Pending {
    fn new(path: &Path) -> Pending {
        if let Ok(mut pending) = PENDING.lock() {
            pending.push(path.to_path_buf());
        }
        Pending(path.to_path_buf())
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if let Ok(mut pending) = PENDING.lock() {
            pending.retain(|p| p != &self.0);
        }
    }
}

/// Removes the temporary files of every [`write_atomically`] in progress
/// (their targets stay as they were) and returns how many it removed. For a
/// signal handler: a program stopped during a write must not leave a
/// hidden `.salesplan-*.tmp` behind.
///
/// ```
/// assert_eq!(salesplan::io::remove_pending_temporaries(), 0);
/// ```
pub fn remove_pending_temporaries() -> usize {
    let Ok(mut pending) = PENDING.lock() else {
        return 0;
    };
    pending
        .drain(..)
        .filter(|p| std::fs::remove_file(p).is_ok())
        .count()
}

/// Writes a file atomically: `write` fills a temporary file in the same
/// folder as `path`, which is flushed, synced and renamed onto `path` only if
/// `write` succeeds. On any error the temporary file is removed and an
/// existing file at `path` is left untouched. `-` writes to standard output
/// (a stream cannot be replaced as a whole: what was written before an
/// error stays written).
///
/// ```
/// # fn main() -> salesplan::Result<()> {
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("out.txt");
/// salesplan::io::write_atomically(&path, |w| {
///     w.write_all(b"hello\n").map_err(|e| salesplan::Error::Io { path: "out.txt".into(), source: e })
/// })?;
/// assert_eq!(std::fs::read_to_string(&path).unwrap(), "hello\n");
/// # Ok(()) }
/// ```
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<()> {
    refuse_parquet(path)?;
    write_file_atomically(path, write)
}

/// Refuses a `.parquet` name for an output written as CSV text (it would
/// pass for a Parquet file).
pub(super) fn refuse_parquet(path: &Path) -> Result<()> {
    if super::is_parquet(path) {
        return Err(Error::File {
            path: path.to_path_buf(),
            reason: "this output is written as CSV text; Parquet is written for forecast --output and backtest --forecasts and read for every long-table input: name the file .csv".into(),
        });
    }
    Ok(())
}

/// [`write_atomically`] whatever the file's extension (what the Parquet
/// writer uses).
pub(super) fn write_file_atomically(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<()> {
    let mut file = AtomicFile::create(path)?;
    write(&mut file)?;
    file.commit()
}

/// A file written piece by piece and put in place only when complete: a
/// temporary file in the target's folder, buffered, which
/// [`commit`](AtomicFile::commit) flushes, syncs and renames onto the
/// target; dropped without `commit` (an error, a panic), it is removed and
/// the target stays as it was. `-` is standard output, written as it goes.
/// How outputs too large to hold in memory are written, a batch at a time.
///
/// ```
/// use std::io::Write;
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("out.csv");
/// let mut file = salesplan::io::AtomicFile::create(&path)?;
/// file.write_all(b"a,b\n").unwrap();
/// assert!(!path.exists());
/// file.commit()?;
/// assert_eq!(std::fs::read_to_string(&path).unwrap(), "a,b\n");
/// # Ok::<(), salesplan::Error>(())
/// ```
pub struct AtomicFile {
    path: PathBuf,
    target: Target,
}

enum Target {
    Temporary {
        out: BufWriter<tempfile::NamedTempFile>,
        _pending: Pending,
    },
    Stdout(BufWriter<std::io::Stdout>),
}

impl AtomicFile {
    /// Starts writing `path` (`-`: standard output).
    pub fn create(path: &Path) -> Result<AtomicFile> {
        if super::is_standard_stream(path) {
            return Ok(AtomicFile {
                path: PathBuf::from("<stdout>"),
                target: Target::Stdout(BufWriter::new(std::io::stdout())),
            });
        }
        let io_error = |source: std::io::Error| Error::Io {
            path: path.to_path_buf(),
            source,
        };
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let mut builder = tempfile::Builder::new();
        builder.prefix(".salesplan-").suffix(".tmp");
        #[cfg(unix)]
        {
            // Like an ordinary new file: 0o666 less the umask (tempfile's default is 0o600).
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o666));
        }
        let tmp = builder.tempfile_in(dir).map_err(io_error)?;
        let pending = Pending::new(tmp.path());
        Ok(AtomicFile {
            path: path.to_path_buf(),
            target: Target::Temporary {
                out: BufWriter::new(tmp),
                _pending: pending,
            },
        })
    }

    /// Flushes what was written and puts the file in place.
    pub fn commit(self) -> Result<()> {
        let io_error = |source: std::io::Error| Error::Io {
            path: self.path.clone(),
            source,
        };
        match self.target {
            Target::Stdout(mut out) => out.flush().map_err(io_error),
            Target::Temporary { out, _pending } => {
                let tmp = out.into_inner().map_err(|e| io_error(e.into_error()))?;
                tmp.as_file().sync_all().map_err(io_error)?;
                tmp.persist(&self.path).map_err(|e| io_error(e.error))?;
                Ok(())
            }
        }
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match &mut self.target {
            Target::Temporary { out, .. } => out.write(buf),
            Target::Stdout(out) => out.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.target {
            Target::Temporary { out, .. } => out.flush(),
            Target::Stdout(out) => out.flush(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_write_leaves_no_file_and_keeps_the_old_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        std::fs::write(&path, "old").unwrap();
        let r = write_atomically(&path, |w| {
            w.write_all(b"partial").unwrap();
            Err(Error::File {
                path: path.clone(),
                reason: "boom".into(),
            })
        });
        assert!(r.is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "temporary file left behind");
    }
}
