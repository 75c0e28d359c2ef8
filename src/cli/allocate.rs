//! `salesplan allocate`: split an annual target down the org tree.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use salesplan::io::{read_long_csv, write_plan, write_plan_summary, Columns};
use salesplan::plan::calendar::PlanningCalendar;
use salesplan::plan::year::{plan_year, CompanyTarget, PlanRequest, YearInputs};

use super::{check_files, in_pool, EventArgs, PlanInputArgs, Status};

#[derive(Debug, Args)]
pub struct AllocateArgs {
    #[command(flatten)]
    inputs: PlanInputArgs,
    #[command(flatten)]
    events: EventArgs,
    /// The company's target for the plan year.
    #[arg(
        long,
        value_name = "AMOUNT",
        required_unless_present = "growth",
        conflicts_with = "growth",
        allow_negative_numbers = true
    )]
    target: Option<f64>,
    /// Target as growth over last year's total (0.15 = +15%, -0.1 = −10%).
    #[arg(long, value_name = "RATE", allow_negative_numbers = true)]
    growth: Option<f64>,
    #[command(flatten)]
    split: super::SplitArgs,
    /// Commitments submitted bottom-up (node_id,amount): each node's set
    /// against its target in the summary; `--basis commit:1` splits by
    /// them.
    #[arg(long, value_name = "FILE")]
    commits: Option<PathBuf>,
    /// No node below this share of its own commitment (0.9: at least 90%
    /// of what it committed).
    #[arg(
        long,
        value_name = "SHARE",
        requires = "commits",
        allow_negative_numbers = true
    )]
    commit_floor: Option<f64>,
    /// Phase the annual plan into periods: monthly, quarterly, weekly (ISO),
    /// daily, fiscal-monthly:<start month>, fiscal-quarterly:<m>,
    /// fiscal-weekly:<m>, fiscal-daily:<m>, 445, 454, 544 (retail periods;
    /// add :weeks, :quarters or :days) [default: the year only]. With
    /// --events, weeks and days follow the working days and events. Each node's profile comes from its last three years of
    /// sales (its parent's when it has less than a year).
    #[arg(long, value_name = "CALENDAR")]
    calendar: Option<PlanningCalendar>,
    /// Round targets to multiples of this unit, totals exact.
    #[arg(long, value_name = "UNIT")]
    round: Option<f64>,
    /// Worker threads [default: one per core].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,
    /// Where to write the plan (node_id,period,target).
    #[arg(long, value_name = "FILE")]
    output: PathBuf,
    /// Where to write a per-node summary.
    #[arg(long, value_name = "FILE")]
    summary: Option<PathBuf>,
}

pub fn run(args: AllocateArgs) -> anyhow::Result<Status> {
    let started = Instant::now();
    check_files(
        &[
            &args.inputs.files(&args.events)[..],
            &[("--commits", args.commits.as_deref())],
        ]
        .concat(),
        &[
            ("--output", Some(&args.output)),
            ("--summary", args.summary.as_deref()),
        ],
    )?;
    let target = match (args.target, args.growth) {
        (Some(t), _) => CompanyTarget::Absolute(t),
        (None, Some(g)) => CompanyTarget::Growth(g),
        (None, None) => anyhow::bail!("give --target or --growth"),
    };
    let tree = salesplan::io::read_org(&args.inputs.org)?;
    let events = args.events.calendar(|id| tree.index_of(id).is_some())?;
    if let Some(e) = &events {
        let year = args.inputs.year;
        EventArgs::note_fallback(e, year - salesplan::plan::sales::EFFECT_YEARS as i32, year);
    }
    let request = PlanRequest {
        target,
        basis: args.split.basis,
        method: args.split.method,
        ramp: args.split.ramp,
        calendar: args.calendar,
        unit: args.round,
        events,
    };
    let history = read_long_csv(&args.inputs.history, &Columns::default())?;
    let mut inputs = YearInputs::new(&tree, &history, args.inputs.year)
        .with_context(|| args.inputs.history.display().to_string())?;
    inputs.trailing_months = usize::from(args.inputs.trailing_months);
    if let Some(path) = &args.inputs.constraints {
        inputs.constraints = salesplan::io::read_constraints(path, &tree)?;
    }
    if let Some(path) = &args.commits {
        let commits = salesplan::io::read_commitments(path, &tree, args.inputs.year)?;
        if let Some(floor) = args.commit_floor {
            commits
                .apply_floor(&mut inputs.constraints, floor)
                .context("--commit-floor")?;
        }
        inputs.commitments = Some(commits);
    }
    let working = super::spinner(&format!("planning {} nodes", tree.len()));
    let plan = in_pool(args.threads, || plan_year(&inputs, &request))??;
    drop(working);
    write_plan(&args.output, &tree, &plan.periods, &plan.table, args.round)?;
    if let Some(path) = &args.summary {
        write_plan_summary(
            path,
            &tree,
            &plan.allocation,
            args.round,
            inputs.commitments.as_ref(),
        )?;
    }
    say!(
        "{} nodes, target {} for {}, last year {}, {:.2} s",
        tree.len(),
        salesplan::error::amount(plan.allocation.targets[tree.root()]),
        args.inputs.year,
        salesplan::error::amount(plan.last_year_total),
        started.elapsed().as_secs_f64()
    );
    if let Some(commits) = &inputs.commitments {
        let root = tree.root();
        let leaves: Vec<usize> = (0..tree.len()).filter(|&i| tree.is_leaf(i)).collect();
        let below = leaves
            .iter()
            .filter(|&&i| {
                commits
                    .own(i)
                    .is_some_and(|c| plan.allocation.targets[i] < c)
            })
            .count();
        let committed = leaves.iter().filter(|&&i| commits.own(i).is_some()).count();
        say!(
            "commitments: {} of {} reps committed; the company's commitment {} against its target {}; {} reps' targets below their own commitment",
            committed,
            leaves.len(),
            commits
                .resolved(root)
                .map_or("unknown (not every unit committed)".into(), |c| salesplan::error::amount(c.0)),
            salesplan::error::amount(plan.allocation.targets[root]),
            below
        );
    }
    if !plan.without_history.is_empty() {
        let names: Vec<String> = plan
            .without_history
            .iter()
            .take(5)
            .map(|&i| format!("'{}'", tree.id(i)))
            .collect();
        let more = plan.without_history.len() - names.len();
        say!(
            "note: {} active reps have no sales history ({}{}): each was given its peers' mean basis, as a new hire is",
            plan.without_history.len(),
            names.join(", "),
            if more > 0 { format!(", and {more} more") } else { String::new() }
        );
    }
    super::note_written(&[
        ("--output", Some(&args.output)),
        ("--summary", args.summary.as_deref()),
    ]);
    Ok(Status::Success)
}
