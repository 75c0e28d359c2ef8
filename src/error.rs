//! The library's one error type.

use std::path::PathBuf;

/// Everything that can go wrong in salesplan's library code.
///
/// Variants carry the context a user needs to find the problem: the series,
/// the file, the line and column, the offending value.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A series has too few observations for what was asked.
    #[error("series '{series}': too short ({got} observations, need at least {needed})")]
    TooShort {
        series: String,
        needed: usize,
        got: usize,
    },
    /// A series has no observations at all.
    #[error("series '{series}' is empty")]
    EmptySeries { series: String },
    /// A value is NaN or infinite.
    #[error("series '{series}': value at position {index} is not finite ({value})")]
    NonFinite {
        series: String,
        index: usize,
        value: f64,
    },
    /// A parameter is outside its allowed range.
    #[error("invalid {name}: {reason}")]
    InvalidParameter { name: &'static str, reason: String },
    /// A model cannot be fitted to this data (for instance a multiplicative
    /// model on data with zeros).
    #[error("model {model} cannot be fitted: {reason}")]
    ModelNotApplicable { model: String, reason: String },
    /// No candidate model could be fitted.
    #[error("series '{series}': no model could be fitted ({reason})")]
    NoModel { series: String, reason: String },
    /// A date or period label could not be parsed.
    #[error("cannot parse '{value}' as a date (expected YYYY-MM-DD, YYYY-MM, YYYYQn or an integer period)")]
    BadDate { value: String },
    /// Dates of one series do not follow one regular calendar.
    #[error("series '{series}': {reason}")]
    Calendar { series: String, reason: String },
    /// A problem in an input file, with its position.
    #[error("{}:{line}: column '{column}': {reason}{}", path.display(), value.as_ref().map(|v| format!(" (value '{v}')")).unwrap_or_default())]
    Input {
        path: PathBuf,
        line: u64,
        column: String,
        value: Option<String>,
        reason: String,
    },
    /// A file-level problem (missing column, empty file, unreadable file).
    #[error("{}: {reason}", path.display())]
    File { path: PathBuf, reason: String },
    /// An I/O error with the file it concerns.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Two rows of an org-tree file have the same node id.
    #[error("{}:{line}: duplicate node id '{id}' (first defined on line {first_line})", path.display())]
    DuplicateNode {
        path: PathBuf,
        id: String,
        first_line: u64,
        line: u64,
    },
    /// An org tree has no root (no row with an empty parent_id).
    #[error("{}: no root (every node has a parent_id; the root's must be empty)", path.display())]
    NoRoot { path: PathBuf },
    /// An org tree has more than one root.
    #[error("{}: {} roots (exactly one node may have an empty parent_id): {}", path.display(), roots.len(), list_nodes(roots))]
    MultipleRoots {
        path: PathBuf,
        /// `(node_id, line)` of each root.
        roots: Vec<(String, u64)>,
    },
    /// A node's parent is not in the org tree.
    #[error("{}:{line}: node '{id}' has parent '{parent}', which is not in the file", path.display())]
    OrphanNode {
        path: PathBuf,
        id: String,
        parent: String,
        line: u64,
    },
    /// Parent links form a cycle.
    #[error("{}: cycle in parent links: {}", path.display(), list_nodes(nodes))]
    Cycle {
        path: PathBuf,
        /// `(node_id, line)` of the nodes on the cycle, each followed by its parent.
        nodes: Vec<(String, u64)>,
    },
    /// A target cannot be split under the constraints.
    #[error("node '{node}': target {} cannot be met: its children's minimums sum to {} and maximums to {}; binding: {binding}", amount(*target), amount(*min_sum), amount(*max_sum))]
    Infeasible {
        node: String,
        target: f64,
        min_sum: f64,
        max_sum: f64,
        /// The constraints that bind, in words.
        binding: String,
    },
    /// A node's own constraints contradict each other (e.g. a minimum above
    /// a growth cap, or bounds that leave no whole rounding unit).
    #[error("node '{node}': its constraints conflict: {lower_source} asks for at least {}, but {upper_source} allows at most {}", amount(*lower), amount(*upper))]
    ConflictingBounds {
        node: String,
        lower: f64,
        lower_source: String,
        upper: f64,
        upper_source: String,
    },
    /// A bug: an internal invariant failed (for instance a model panicked).
    #[error("series '{series}': internal error: {reason} (please report this)")]
    Internal { series: String, reason: String },
    /// An accuracy metric is undefined for these values (for instance MAPE
    /// with a zero actual, MASE on a series without in-sample variation).
    #[error("{metric} is undefined: {reason}")]
    UndefinedMetric {
        metric: &'static str,
        reason: String,
    },
    /// Row and column totals of a table do not add up to the same total.
    #[error("margins disagree: row totals sum to {row_total}, column totals to {column_total}")]
    MarginsDisagree { row_total: f64, column_total: f64 },
    /// No table matches the margins within the bounds and structural zeros.
    #[error("no table matches the margins: {reason}")]
    BalanceInfeasible { reason: String },
    /// Balancing stopped at its iteration cap before meeting the tolerance.
    #[error("balancing did not converge in {iterations} iterations (largest margin error {max_error:e})")]
    BalanceNotConverged { iterations: usize, max_error: f64 },
    /// A total that must be a whole number of currency units is not.
    #[error("{what} = {value} is not a multiple of the rounding unit {unit}")]
    NotMultipleOfUnit { what: String, value: f64, unit: f64 },
    /// Phasing one parent's block of the plan failed.
    #[error("phasing the children of '{node}': {source}")]
    Phasing {
        node: String,
        #[source]
        source: Box<Error>,
    },
    /// A scenario file names an unknown key, an impossible value or a
    /// contradictory combination.
    #[error("{}: {}{reason}", path.display(), scenario_place(scenario, field))]
    Scenario {
        path: PathBuf,
        /// The scenario's name (or `#k`, its position), empty for the file.
        scenario: String,
        /// The key at fault, empty for the whole scenario.
        field: String,
        reason: String,
    },
    /// A plan broke one of its constraints (a bug: plans are checked after
    /// they are made, not assumed right).
    #[error("scenario '{scenario}': {source}")]
    InScenario {
        scenario: String,
        #[source]
        source: Box<Error>,
    },
    #[error("plan check failed at node '{node}': {reason} (please report this)")]
    PlanCheck { node: String, reason: String },
    /// A fitted model could not be serialised or deserialised.
    #[error("model (de)serialisation failed: {0}")]
    Serde(String),
}

fn scenario_place(scenario: &str, field: &str) -> String {
    let mut text = String::new();
    if !scenario.is_empty() {
        text.push_str(&format!("scenario '{scenario}': "));
    }
    if !field.is_empty() {
        text.push_str(&format!("field '{field}': "));
    }
    text
}

/// An amount in a message: at most 12 significant digits (no float noise
/// such as `579703480.4000001` from summing bounds), trailing zeros
/// dropped, and no bound at all as `unbounded`.
///
/// ```
/// use salesplan::error::amount;
/// assert_eq!(amount(579703480.4000001), "579703480.4");
/// assert_eq!(amount(0.1 + 0.2), "0.3");
/// assert_eq!(amount(1500.0), "1500");
/// assert_eq!(amount(f64::INFINITY), "unbounded");
/// assert_eq!(amount(-0.0), "0");
/// ```
pub fn amount(v: f64) -> String {
    if v.is_infinite() {
        return if v > 0.0 { "unbounded" } else { "-unbounded" }.into();
    }
    let magnitude = if v == 0.0 {
        0
    } else {
        v.abs().log10().floor() as i32 + 1
    };
    let decimals = (12 - magnitude).clamp(0, 6) as usize;
    let text = format!("{v:.decimals$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.')
    } else {
        &text
    };
    match text {
        "-0" => "0".into(),
        t => t.into(),
    }
}

fn list_nodes(nodes: &[(String, u64)]) -> String {
    let mut text: Vec<String> = nodes
        .iter()
        .take(10)
        .map(|(id, line)| format!("'{id}' (line {line})"))
        .collect();
    if nodes.len() > 10 {
        text.push(format!("... and {} more", nodes.len() - 10));
    }
    text.join(", ")
}

/// `Result` with salesplan's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
