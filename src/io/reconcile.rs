//! Reconciled forecasts out: `unique_id, ds, mean`.

use crate::forecast::series::Series;
use crate::plan::org::OrgTree;

use super::table::{Column, Table};

/// The reconciled forecasts as `salesplan reconcile` writes them:
/// `unique_id, ds, mean`, nodes sorted by id (bytewise), then periods.
/// `forecasts` are the node-aligned base forecasts (their periods label
/// the rows) and `reconciled[k][v]` node `v`'s value for period `k`
/// ([`reconcile_periods`](crate::plan::reconcile_series::reconcile_periods)).
pub fn reconciled_table(tree: &OrgTree, forecasts: &[Series], reconciled: &[Vec<f64>]) -> Table {
    let mut order: Vec<usize> = (0..tree.len().min(forecasts.len())).collect();
    order.sort_by(|&a, &b| tree.id(a).as_bytes().cmp(tree.id(b).as_bytes()));
    let (mut ids, mut ds, mut mean) = (Vec::new(), Vec::new(), Vec::new());
    for &v in &order {
        for (k, r) in reconciled.iter().enumerate() {
            ids.push(tree.id(v).to_string());
            ds.push(forecasts[v].label(k));
            mean.push(r.get(v).copied());
        }
    }
    Table {
        columns: vec![
            ("unique_id".into(), Column::Text(ids)),
            ("ds".into(), Column::Text(ds)),
            ("mean".into(), Column::Number(mean)),
        ],
    }
}
