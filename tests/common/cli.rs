//! Running the real `salesplan` binary from the CLI tests.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The `salesplan` binary Cargo built for the integration tests.
pub fn salesplan() -> Command {
    Command::new(env!("CARGO_BIN_EXE_salesplan"))
}

/// Runs `command` to the end: its exit code (-1 when a signal ended it)
/// and its stderr.
pub fn finish(command: &mut Command) -> (i32, String) {
    let o = command.output().expect("the salesplan binary runs");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// The text of a file a run may have written (`None`: it wrote none).
pub fn read_output(path: impl AsRef<Path>) -> Option<String> {
    std::fs::read_to_string(path).ok()
}

/// Deletes an earlier run's outputs, so that a run that writes nothing
/// cannot pass for one that wrote them.
pub fn clear_outputs<P: AsRef<Path>>(paths: &[P]) {
    for path in paths {
        let _ = std::fs::remove_file(path);
    }
}

/// Writes `text` to `name` in `dir` and returns its path.
pub fn write_file(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// An empty directory `name` for the test file `suite`, under Cargo's
/// temporary directory for integration tests (an earlier run's removed).
pub fn fresh_dir(suite: &str, name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(suite)
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
