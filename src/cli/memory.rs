//! Refusing a run whose arguments would need more memory than the machine
//! has, before it allocates: `--horizon 1000000000` or `--paths
//! 1000000000` used to run until the kernel killed the process.

use anyhow::bail;
use clap::Args;

/// `--max-memory`, shared by the commands whose memory grows with an
/// argument (horizon, paths).
#[derive(Debug, Args)]
pub(super) struct MemoryArgs {
    /// The most memory the run may need, e.g. 512M, 4G, 1.5GiB (bytes
    /// without a unit) [default: 90% of the memory available when the run
    /// starts].
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_memory: Option<u64>,
}

/// Share of the available memory a run may plan to use by default.
const DEFAULT_SHARE: f64 = 0.9;

impl MemoryArgs {
    /// Fails when `bytes` (the run's estimate, from `what`: the arguments
    /// that make it so) is above the limit.
    pub fn check(&self, what: &str, bytes: f64) -> anyhow::Result<()> {
        let (limit, source) = match self.max_memory {
            Some(limit) => (limit as f64, "--max-memory".to_string()),
            None => match available_memory() {
                Some(free) => (
                    DEFAULT_SHARE * free as f64,
                    format!(
                        "{:.0}% of the {} available",
                        100.0 * DEFAULT_SHARE,
                        show(free as f64)
                    ),
                ),
                None => return Ok(()),
            },
        };
        if bytes > limit {
            bail!(
                "{what} needs about {} of memory, more than the limit of {} ({source}); ask for less, or set --max-memory if the machine has it",
                show(bytes),
                show(limit)
            );
        }
        Ok(())
    }
}

/// The memory available to new work (Linux: `MemAvailable` in
/// `/proc/meminfo`), in bytes; `None` where it cannot be read.
fn available_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// `512M`, `4G`, `1.5GiB`, `2TB`, `1000`: bytes (K, M, G, T as powers of
/// 1024, with or without `B` or `iB`).
fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let number: f64 = number
        .parse()
        .map_err(|_| format!("'{text}' is not a size (e.g. 512M, 4G)"))?;
    let power = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 0,
        "K" | "KB" | "KIB" => 1,
        "M" | "MB" | "MIB" => 2,
        "G" | "GB" | "GIB" => 3,
        "T" | "TB" | "TIB" => 4,
        _ => return Err(format!("'{text}': unknown unit (K, M, G or T)")),
    };
    let bytes = number * 1024f64.powi(power);
    if !(bytes >= 1.0 && bytes < u64::MAX as f64) {
        return Err(format!("'{text}' is not a usable size"));
    }
    Ok(bytes as u64)
}

/// `bytes` for people: `224.0 GB`, `512.0 MB`.
fn show(bytes: f64) -> String {
    let units = ["bytes", "KB", "MB", "GB", "TB", "PB", "EB"];
    let mut v = bytes;
    let mut k = 0;
    while v >= 1024.0 && k + 1 < units.len() {
        v /= 1024.0;
        k += 1;
    }
    if k == 0 {
        format!("{v:.0} bytes")
    } else {
        format!("{v:.1} {}", units[k])
    }
}

/// What a forecast of `series` series, `horizon` steps each with `levels`
/// interval levels, keeps until it is written: per step a label (about 40
/// bytes with its `String`), the mean and two bounds per level.
pub(super) fn forecast_bytes(series: usize, horizon: usize, levels: usize) -> f64 {
    series as f64 * horizon as f64 * (48.0 + 16.0 * levels as f64)
}

/// What a simulation of `paths` sample paths over the nodes of `tree`
/// keeps: every node's annual sums and the calibration's copies, about
/// two per node, and half a copy more per worker. Set from `sweep` on the
/// demo company (434 nodes; 10,000 and 40,000 paths, 1 and 2 threads: 7.2
/// KB per path on one thread, 7.9 KB on two); the estimate is 1.2–1.5×
/// what was measured.
pub(super) fn simulation_bytes(
    paths: usize,
    tree: &salesplan::plan::org::OrgTree,
    threads: Option<u16>,
) -> f64 {
    let workers = threads.map_or_else(super::cores, usize::from) as f64;
    paths as f64 * 8.0 * tree.len() as f64 * (2.5 + 0.5 * workers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_and_show_as_people_write_them() {
        assert_eq!(parse_size("512M"), Ok(512 << 20));
        assert_eq!(parse_size("4G"), Ok(4 << 30));
        assert_eq!(parse_size("1.5GiB"), Ok(3 << 29));
        assert_eq!(parse_size("1000"), Ok(1000));
        assert!(parse_size("lots").is_err());
        assert!(parse_size("4X").is_err());
        assert!(parse_size("0").is_err());
        assert_eq!(show(1536.0), "1.5 KB");
        assert_eq!(show(224.0 * (1u64 << 30) as f64), "224.0 GB");
        let args = MemoryArgs {
            max_memory: Some(1 << 20),
        };
        assert!(args.check("x", 1e5).is_ok());
        let e = args
            .check("--horizon 9 on 3 series", 3e6)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("needs about 2.9 MB") && e.contains("limit of 1.0 MB (--max-memory)"),
            "{e}"
        );
    }
}
