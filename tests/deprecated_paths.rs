//! The public paths of release 0.1 still work in 0.2 (deprecated
//! re-exports of the new layout); this file goes with them in 0.3.
//! (rustc does not warn through a deprecated module of re-exports; the
//! deprecation shows in the docs.)
#![allow(deprecated)]

#[test]
fn paths_of_release_0_1_still_resolve() {
    use salesplan::allocate::{Basis, Ramp};
    use salesplan::allocate_time::phase::MonthProfile;
    use salesplan::allocate_time::round::round_vector;
    use salesplan::attainment::SimulationOptions;
    use salesplan::backtest::Backtest;
    use salesplan::batch::{forecast_batch, ForecastJob, ModelChoice};
    use salesplan::calendar::Frequency;
    use salesplan::hierarchy::OrgTree;
    use salesplan::metrics::mae;
    use salesplan::models::ets::AutoEts;
    use salesplan::planning_calendar::PlanningCalendar;
    use salesplan::reconcile::Method;
    use salesplan::scenario::CompanyTarget;
    use salesplan::select::auto_forecast;
    use salesplan::series::Series;
    use salesplan::stats::normal_quantile;

    // the old names are the new items, not copies
    let _: salesplan::forecast::models::ets::AutoEts = AutoEts::new(12);
    let _: salesplan::plan::org::OrgTree =
        OrgTree::read_from("node_id,parent_id\nco,\n".as_bytes(), "org.csv".as_ref()).unwrap();
    assert_eq!(
        Basis::default(),
        salesplan::plan::allocate::Basis::default()
    );
    assert_eq!(Ramp::default(), salesplan::plan::allocate::Ramp::default());
    assert_eq!(
        PlanningCalendar::monthly(),
        salesplan::plan::calendar::PlanningCalendar::monthly()
    );
    assert_eq!(round_vector(&[0.4, 0.6], 1.0).unwrap(), vec![0.0, 1.0]);
    assert!(MonthProfile::new([1.0; 12]).is_ok());
    assert_eq!(SimulationOptions::default().paths, 1000);
    assert!(Backtest::new(1, 1).is_ok());
    let job = ForecastJob::new(ModelChoice::Naive, 2, vec![], None).unwrap();
    let series = [Series::new("a", vec![1.0, 2.0, 3.0]).unwrap()];
    assert_eq!(forecast_batch(&series, &job, &|| {}).len(), 1);
    assert_eq!(Frequency::Monthly.season_length(), 12);
    assert_eq!(mae(&[1.0], &[2.0]).unwrap(), 1.0);
    assert!(matches!(Method::BottomUp, Method::BottomUp));
    assert_eq!(CompanyTarget::Growth(0.1).amount(100.0), 110.00000000000001);
    assert!(auto_forecast(&[1.0; 5], 1, 2, &[]).is_ok());
    assert!((normal_quantile(0.5).unwrap()).abs() < 1e-12);
}
