//! Writes the demo dataset `datasets/demo/` (see its README.md): an org
//! tree of a company, 7 regions, 40 teams and about 400 reps with Chinese
//! names, and five years (2021-2025) of their monthly and weekly sales.
//!
//! `cargo run --release --example make_demo [-- OUTPUT_DIR]`
//!
//! Seeded (ChaCha8, one stream per rep): the output is identical on every
//! run and platform.

use std::fmt::Write as _;
use std::path::PathBuf;

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{LogNormal, Normal};

const SEED: u64 = 20_270_101;

/// Regions with their cities (a city listed twice has two teams) and a
/// size factor for sales.
const REGIONS: [(&str, &[&str], f64); 7] = [
    (
        "华东",
        &[
            "上海", "上海", "杭州", "杭州", "南京", "苏州", "宁波", "合肥", "济南",
        ],
        1.3,
    ),
    (
        "华南",
        &[
            "广州", "广州", "深圳", "深圳", "东莞", "佛山", "厦门", "南宁",
        ],
        1.2,
    ),
    (
        "华北",
        &["北京", "北京", "天津", "石家庄", "太原", "呼和浩特"],
        1.1,
    ),
    ("华中", &["武汉", "武汉", "长沙", "郑州", "南昌"], 0.95),
    ("西南", &["成都", "成都", "重庆", "昆明", "贵阳"], 0.9),
    ("西北", &["西安", "兰州", "乌鲁木齐"], 0.7),
    ("东北", &["沈阳", "大连", "长春", "哈尔滨"], 0.75),
];

/// Common surnames, most frequent first (drawn with decreasing weight).
const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁",
    "任", "沈",
];

const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "霞", "平", "刚", "华", "萍", "鹏", "辉", "玲", "丹", "浩", "宇", "婷", "欣", "秀英",
    "桂英", "玉兰", "子涵", "梓轩", "浩然", "雨桐", "思远", "佳怡", "文博", "俊杰", "晓东", "建国",
    "海燕", "春梅", "志强", "丽娟", "家豪", "一鸣", "欣怡", "子轩", "晨曦", "嘉怡", "宏伟", "建华",
    "小红", "国庆", "立新", "晓明", "雪梅",
];

const NUMERALS: [&str; 3] = ["一", "二", "三"];

/// Chinese New Year (first day of the lunar year), 2021-2026.
const CNY: [(i32, u32, u32); 6] = [
    (2021, 2, 12),
    (2022, 2, 1),
    (2023, 1, 22),
    (2024, 2, 10),
    (2025, 1, 29),
    (2026, 2, 17),
];

/// Month effects before the day effects below (March, September and
/// December closings; summer lull).
const MONTH_EFFECT: [f64; 12] = [
    1.0, 0.9, 1.05, 0.95, 1.0, 1.0, 0.9, 0.9, 1.05, 0.95, 0.95, 1.2,
];

struct Rep {
    id: String,
    region_factor: f64,
    start: NaiveDate,
    end: Option<NaiveDate>,
    /// hired within the data window: ramps up over four months
    ramps: bool,
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid constant date")
}

fn random_date(rng: &mut ChaCha8Rng, from: NaiveDate, to: NaiveDate) -> NaiveDate {
    let days = (to - from).num_days();
    from + Duration::days(rng.random_range(0..=days))
}

fn pick<'a>(rng: &mut ChaCha8Rng, list: &[&'a str], skew: bool) -> &'a str {
    let i = if skew {
        // frequent surnames more often: index = n·u²
        let u: f64 = rng.random();
        ((u * u) * list.len() as f64) as usize
    } else {
        rng.random_range(0..list.len())
    };
    list[i.min(list.len() - 1)]
}

fn main() -> anyhow::Result<()> {
    let out = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("datasets/demo"));
    std::fs::create_dir_all(&out)?;
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);

    let data_start = date(2021, 1, 1);
    let data_end = date(2025, 12, 31);
    // the first half of the plan year 2026: the actuals `track` reads
    let actuals_end = date(2026, 6, 30);
    let months: i32 = 66;

    // ---- org tree
    let mut org = String::from("node_id,parent_id,name,start_date,end_date\n");
    writeln!(org, "HQ,,星河商贸有限公司,2008-03-01,")?;
    let mut reps: Vec<Rep> = Vec::new();
    let mut names = std::collections::HashSet::new();
    let mut team_no = 0;
    for (r, (region, cities, factor)) in REGIONS.iter().enumerate() {
        let region_id = format!("R{}", r + 1);
        writeln!(org, "{region_id},HQ,{region}大区,,")?;
        for (c, city) in cities.iter().enumerate() {
            team_no += 1;
            let team_id = format!("T{team_no:02}");
            let twice = cities.iter().filter(|x| *x == city).count() > 1;
            let k = cities[..c].iter().filter(|x| *x == city).count();
            let team_name = if twice {
                format!("{city}销售{}部", NUMERALS[k.min(2)])
            } else {
                format!("{city}销售部")
            };
            writeln!(org, "{team_id},{region_id},{team_name},,")?;
            for _ in 0..rng.random_range(8..=12) {
                let id = format!("E{:04}", reps.len() + 1);
                let mut name = String::new();
                for _ in 0..50 {
                    name = format!(
                        "{}{}",
                        pick(&mut rng, SURNAMES, true),
                        pick(&mut rng, GIVEN, false)
                    );
                    if names.insert(name.clone()) {
                        break;
                    }
                }
                let u: f64 = rng.random();
                let (start, ramps) = if u < 0.15 {
                    // new hires in the last two years
                    (
                        random_date(&mut rng, date(2024, 1, 1), date(2025, 11, 30)),
                        true,
                    )
                } else if u < 0.27 {
                    (
                        random_date(&mut rng, date(2021, 1, 1), date(2023, 12, 31)),
                        true,
                    )
                } else {
                    (
                        random_date(&mut rng, date(2012, 1, 1), date(2020, 12, 31)),
                        false,
                    )
                };
                let end = if rng.random_bool(0.09) {
                    let from = (start + Duration::days(180)).max(date(2021, 6, 1));
                    (from < date(2025, 11, 30))
                        .then(|| random_date(&mut rng, from, date(2025, 11, 30)))
                } else {
                    None
                };
                writeln!(
                    org,
                    "{id},{team_id},{name},{start},{}",
                    end.map(|d| d.to_string()).unwrap_or_default()
                )?;
                reps.push(Rep {
                    id,
                    region_factor: *factor,
                    start,
                    end,
                    ramps,
                });
            }
        }
    }

    // ---- sales: daily values aggregated to months and ISO weeks
    let cny: Vec<NaiveDate> = CNY.iter().map(|&(y, m, d)| date(y, m, d)).collect();
    let days: Vec<NaiveDate> = data_start
        .iter_days()
        .take_while(|d| *d <= actuals_end)
        .collect();
    let day_effect: Vec<f64> = days.iter().map(|d| day_effect(*d, &cny)).collect();
    let first_monday = date(2021, 1, 4);
    let weeks = 260; // ISO 2021-W01 .. 2025-W52, all inside the data window

    let mut monthly = String::from("unique_id,ds,y\n");
    let mut weekly = String::from("unique_id,ds,y\n");
    let mut actuals = String::from("unique_id,ds,y\n");
    for (index, rep) in reps.iter().enumerate() {
        let mut rng = ChaCha8Rng::seed_from_u64(SEED);
        rng.set_stream(index as u64 + 1);
        let small = rng.random_bool(0.25);
        let level = if small {
            rng.sample(LogNormal::new(8_000f64.ln(), 0.5)?)
        } else {
            rng.sample(LogNormal::new(120_000f64.ln(), 0.45)?)
        } * rep.region_factor;
        let growth: f64 = rng.sample(Normal::new(0.07, 0.06)?);
        let active_share = if small {
            rng.random_range(0.3..0.6)
        } else {
            1.0
        };
        let noise = LogNormal::new(0.0, if small { 0.35 } else { 0.12 })?;
        // month factors: noise, and whether a small account bought at all
        // (drawn in order: the 2026 months come after, so 2021-2025 are
        // the same with or without them)
        let month_factor: Vec<f64> = (0..months)
            .map(|_| {
                let f = rng.sample(noise);
                if rng.random_bool(active_share) {
                    f
                } else {
                    0.0
                }
            })
            .collect();
        let mut daily = vec![0.0; days.len()];
        for (k, d) in days.iter().enumerate() {
            if *d < rep.start || rep.end.is_some_and(|e| *d > e) {
                continue;
            }
            let m = ((d.year() - 2021) * 12) as usize + d.month0() as usize;
            let years = (*d - data_start).num_days() as f64 / 365.25;
            let ramp = if rep.ramps {
                let months = (d.year() - rep.start.year()) * 12 + d.month() as i32
                    - rep.start.month() as i32;
                [0.25, 0.5, 0.75]
                    .get(months as usize)
                    .copied()
                    .unwrap_or(1.0)
            } else {
                1.0
            };
            daily[k] = level / 30.4
                * MONTH_EFFECT[d.month0() as usize]
                * (1.0 + growth).powf(years)
                * day_effect[k]
                * month_factor[m]
                * ramp;
        }
        // months overlapping the rep's employment
        let mut k = 0;
        for m in 0..months {
            let (y, mo) = (2021 + m / 12, (m % 12 + 1) as u32);
            let first = date(y, mo, 1);
            let mut total = 0.0;
            while k < days.len() && days[k].month() == mo && days[k].year() == y {
                total += daily[k];
                k += 1;
            }
            let next = if mo == 12 {
                date(y + 1, 1, 1)
            } else {
                date(y, mo + 1, 1)
            };
            let employed = rep.start < next && rep.end.is_none_or(|e| e >= first);
            if employed {
                let file = if first > data_end {
                    &mut actuals
                } else {
                    &mut monthly
                };
                writeln!(file, "{},{first},{}", rep.id, total.round())?;
            }
        }
        for w in 0..weeks {
            let monday = first_monday + Duration::days(7 * w);
            let sunday = monday + Duration::days(6);
            if rep.start > sunday || rep.end.is_some_and(|e| e < monday) {
                continue;
            }
            let k0 = (monday - data_start).num_days() as usize;
            let total: f64 = daily[k0..k0 + 7].iter().sum();
            writeln!(weekly, "{},{monday},{}", rep.id, total.round())?;
        }
    }

    for (file, text) in [
        ("org.csv", &org),
        ("sales_monthly.csv", &monthly),
        ("sales_weekly.csv", &weekly),
        ("actuals_2026h1.csv", &actuals),
    ] {
        let path = out.join(file);
        salesplan::io::write_atomically(&path, |w| {
            w.write_all(text.as_bytes())
                .map_err(|source| salesplan::Error::Io {
                    path: path.clone(),
                    source,
                })
        })?;
    }
    println!(
        "wrote {} reps, {} teams to {}",
        reps.len(),
        team_no,
        out.display()
    );
    Ok(())
}

/// Day effects: Chinese New Year (a week before to a week after: mostly
/// closed; the three weeks before: stocking up), 618 (June 1-18), Double 11
/// (presales from October 20, peak November 1-11), quiet weekends.
fn day_effect(d: NaiveDate, cny: &[NaiveDate]) -> f64 {
    let mut e = 1.0;
    for c in cny {
        let off = (d - *c).num_days();
        if (-7..=7).contains(&off) {
            e *= 0.3;
        } else if (-28..-7).contains(&off) {
            e *= 1.45;
        }
    }
    match (d.month(), d.day()) {
        (6, 1..=18) => e *= 1.7,
        (10, 20..=31) => e *= 1.3,
        (11, 1..=11) => e *= 2.2,
        _ => {}
    }
    if matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
        e *= 0.4;
    }
    e
}
