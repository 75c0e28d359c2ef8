#!/usr/bin/env python3
"""How many windows the Spring Festival season should have, on simulations.

Monthly data only shows the Spring Festival through how January's and
February's shares move from year to year. This script draws daily sales
with a known Spring Festival shape (seven plausible ones: the dip longer
or shorter, earlier or later, deeper or shallower, with and without a
run-up of stocking up), sums them into months, and plans the next year's
monthly shares the way salesplan does: log sales on year and month effects
plus, for each window of the season, the share of the window's days that
falls in the month, the effects shrunk towards zero with a prior spread of
1 (src/events/effects.rs, forecast/events.rs TOTAL_SPREAD). It compares
two window layouts:

  two:  run-up NY-28..NY-8, holiday season min(official start, NY-7) ..
        max(official end, NY+14)                       (src/events/mod.rs)
  four: run-up NY-28..NY-8, eve NY-7..start-1, official holiday, and the
        days after it up to NY+14                         (the earlier layout)

and prints, per plan year, the mean absolute error of the planned January
and February shares (percentage points of the year) over the shapes and
replicates. Plain Python, no packages.

Usage: python3 scripts/events_shapes.py [--replicates 20] [--noise 0.02]
"""
import argparse
import math
import random
from datetime import date, timedelta

# lunar New Year and the official Spring Festival holiday (State Council
# notices), the same dates as src/events/china.rs
NEW_YEAR = {
    2020: date(2020, 1, 25), 2021: date(2021, 2, 12), 2022: date(2022, 2, 1),
    2023: date(2023, 1, 22), 2024: date(2024, 2, 10), 2025: date(2025, 1, 29),
    2026: date(2026, 2, 17),
}
HOLIDAY = {
    2020: (date(2020, 1, 24), date(2020, 2, 2)),
    2021: (date(2021, 2, 11), date(2021, 2, 17)),
    2022: (date(2022, 1, 31), date(2022, 2, 6)),
    2023: (date(2023, 1, 21), date(2023, 1, 27)),
    2024: (date(2024, 2, 10), date(2024, 2, 17)),
    2025: (date(2025, 1, 28), date(2025, 2, 4)),
    2026: (date(2026, 2, 15), date(2026, 2, 23)),
}


def shape(name):
    """Multiplier of a day `o` days from New Year, per shape."""
    def f(o):
        if name == "base":
            return 1.15 if -28 <= o <= -8 else 0.4 if -7 <= o <= 6 else 0.7 if 7 <= o <= 14 else 1.0
        if name == "long dip":
            return 1.15 if -28 <= o <= -11 else 0.5 if -10 <= o <= 20 else 1.0
        if name == "short dip":
            return 1.15 if -28 <= o <= -8 else 0.3 if -3 <= o <= 6 else 1.0
        if name == "early dip":
            return 1.15 if -35 <= o <= -15 else 0.45 if -14 <= o <= 3 else 1.0
        if name == "late dip":
            return 1.1 if -28 <= o <= -8 else 0.45 if -2 <= o <= 21 else 1.0
        if name == "shallow":
            return 1.1 if -28 <= o <= -8 else 0.75 if -7 <= o <= 14 else 1.0
        if name == "no run-up":
            return 0.45 if -7 <= o <= 10 else 1.0
        raise ValueError(name)
    return f


SHAPES = ["base", "long dip", "short dip", "early dip", "late dip", "shallow", "no run-up"]
# calendar-month level of a year without the festival (a mild seasonal curve)
MONTH_LEVEL = [0.95, 0.9, 1.0, 1.0, 1.02, 1.05, 0.98, 0.97, 1.0, 1.05, 1.1, 1.15]


def windows(year, layout):
    ny = NEW_YEAR[year]
    start, end = HOLIDAY[year]
    before = (ny - timedelta(28), ny - timedelta(8))
    if layout == "two":
        return [before, (min(start, ny - timedelta(7)), max(end, ny + timedelta(14)))]
    out = [before]
    if ny - timedelta(7) < start:
        out.append((ny - timedelta(7), start - timedelta(1)))
    else:
        out.append(None)
    out.append((start, end))
    out.append((end + timedelta(1), ny + timedelta(14)) if end < ny + timedelta(14) else None)
    return out


def month_shares(window, year):
    """Share of the window's days in each month of `year` (12 values)."""
    out = [0.0] * 12
    if window is None:
        return out
    a, b = window
    days = (b - a).days + 1
    d = a
    while d <= b:
        if d.year == year:
            out[d.month - 1] += 1.0 / days
        d += timedelta(1)
    return out


def monthly_sales(year, f, rng, noise):
    out = [0.0] * 12
    d = date(year, 1, 1)
    while d.year == year:
        # the nearest New Year decides the day's multiplier
        o = min(((d - NEW_YEAR[y]).days for y in (year - 1, year, year + 1) if y in NEW_YEAR),
                key=abs)
        out[d.month - 1] += 100.0 * (1.06 ** (year - 2020)) * MONTH_LEVEL[d.month - 1] * f(o)
        d += timedelta(1)
    return [v * math.exp(rng.gauss(0.0, noise)) for v in out]


def solve(a, b):
    """Solves a x = b (Gaussian elimination with partial pivoting)."""
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(m[r][c]))
        m[c], m[p] = m[p], m[c]
        for r in range(n):
            if r != c and m[c][c] != 0.0:
                k = m[r][c] / m[c][c]
                for j in range(c, n + 1):
                    m[r][j] -= k * m[c][j]
    return [m[i][n] / m[i][i] if m[i][i] != 0.0 else 0.0 for i in range(n)]


def plan_shares(history, years, plan_year, layout):
    """Planned monthly shares of `plan_year` from the history's years."""
    # sweep out year and month means of log sales (balanced design), then
    # regress the event columns swept the same way, shrunk with a prior
    # spread of 1 given the residual variance
    def swept(rows):
        ym = [sum(r) / 12 for r in rows]
        mm = [sum(rows[i][j] - ym[i] for i in range(len(rows))) / len(rows) for j in range(12)]
        return [[rows[i][j] - ym[i] - mm[j] for j in range(12)] for i in range(len(rows))], mm

    z, month_mean = swept([[math.log(v) for v in history[y]] for y in years])
    wins = {y: windows(y, layout) for y in years + [plan_year]}
    k = len(wins[plan_year])
    cols = []
    for j in range(k):
        x = [month_shares(wins[y][j], y) for y in years]
        cols.append(swept(x))
    xs = [[v for row in c[0] for v in row] for c in cols]
    zs = [v for row in z for v in row]
    xtx = [[sum(a * b for a, b in zip(xs[i], xs[j])) for j in range(k)] for i in range(k)]
    xtz = [sum(a * b for a, b in zip(xs[i], zs)) for i in range(k)]
    beta = solve([[xtx[i][j] + (1e-9 if i == j else 0.0) for j in range(k)] for i in range(k)], xtz)
    resid = [zs[t] - sum(beta[i] * xs[i][t] for i in range(k)) for t in range(len(zs))]
    dof = max(len(zs) - len(years) - 11 - k, 1)
    s2 = max(sum(r * r for r in resid) / dof, 1e-6)
    beta = solve([[xtx[i][j] + (s2 if i == j else 0.0) for j in range(k)] for i in range(k)], xtz)
    # the month means carry the history's average event shares: plan the
    # new year's log level as month mean + (new year's columns - mean) beta
    levels = []
    for m in range(12):
        v = month_mean[m]
        for j in range(k):
            x_new = month_shares(wins[plan_year][j], plan_year)[m]
            x_avg = sum(month_shares(wins[y][j], y)[m] for y in years) / len(years)
            v += beta[j] * (x_new - x_avg)
        levels.append(math.exp(v))
    total = sum(levels)
    return [v / total for v in levels]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--replicates", type=int, default=20)
    ap.add_argument("--noise", type=float, default=0.02)
    ap.add_argument("--seed", type=int, default=20261204)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    first = 2021
    print("plan year | history | two windows | four windows  (mean abs Jan-Feb share error, points)")
    for plan_year in (2023, 2024, 2025, 2026):
        years = list(range(first, plan_year))
        err = {"two": 0.0, "four": 0.0}
        count = 0
        for name in SHAPES:
            f = shape(name)
            for _ in range(args.replicates):
                sales = {y: monthly_sales(y, f, rng, args.noise) for y in years + [plan_year]}
                actual = sales[plan_year]
                total = sum(actual)
                for layout in err:
                    planned = plan_shares(sales, years, plan_year, layout)
                    err[layout] += sum(abs(planned[m] - actual[m] / total) * 100 for m in (0, 1)) / 2
                count += 1
        print(f"{plan_year} | {years[0]}-{years[-1]} | {err['two'] / count:.3f} | {err['four'] / count:.3f}")


if __name__ == "__main__":
    main()
