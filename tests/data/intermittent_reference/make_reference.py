"""Reference forecasts of statsforecast's intermittent-demand models.

Run with statsforecast 2.1.1 (e.g. /opt/anchors-venv/bin/python):
    python make_reference.py
Writes series.csv (unique_id,t,y) and forecasts.csv (unique_id,model,yhat),
read by tests/intermittent_reference.rs. Series: seeded random intermittent
demand (Poisson sizes, Bernoulli occurrences) of several lengths and
sparsities, plus hand-made edge cases (one demand, demand only at the end,
all zero, decimals).
"""
import numpy as np
import pandas as pd
from statsforecast import StatsForecast
from statsforecast.models import (ADIDA, IMAPA, TSB, CrostonClassic,
                                  CrostonOptimized, CrostonSBA)

rng = np.random.default_rng(20261126)
series = {}
for k, (n, p, lam) in enumerate([(24, 0.3, 4), (36, 0.5, 10), (60, 0.15, 3), (48, 0.8, 20),
                                  (30, 0.25, 1), (100, 0.4, 7), (18, 0.6, 2), (72, 0.1, 50)]):
    occ = rng.random(n) < p
    occ[rng.integers(0, n)] = True
    series[f"rand{k}"] = np.where(occ, rng.poisson(lam, n) + 1, 0).astype(float)
series["one_demand"] = np.array([0, 0, 0, 5, 0, 0, 0, 0, 0, 0], dtype=float)
series["end_demand"] = np.array([0] * 11 + [3], dtype=float)
series["all_zero"] = np.zeros(12)
series["decimals"] = np.array([0, 1.5, 0, 0, 2.25, 0, 0.75, 0, 0, 0, 3.5, 0, 1.0, 0], dtype=float)
series["dense"] = np.array([3, 4, 2, 5, 3, 4, 6, 2, 3, 4, 5, 3], dtype=float)

rows = []
for uid, y in series.items():
    for t, v in enumerate(y, start=1):
        rows.append((uid, t, v))
df = pd.DataFrame(rows, columns=["unique_id", "ds", "y"])
df[["unique_id", "ds", "y"]].rename(columns={"ds": "t"}).to_csv("series.csv", index=False)

models = [CrostonClassic(), CrostonOptimized(), CrostonSBA(), TSB(alpha_d=0.2, alpha_p=0.1),
          ADIDA(), IMAPA()]
sf = StatsForecast(models=models, freq=1, n_jobs=1)
fc = sf.forecast(df=df, h=1)
long = fc.melt(id_vars=["unique_id", "ds"], var_name="model", value_name="yhat")
long[["unique_id", "model", "yhat"]].to_csv("forecasts.csv", index=False, float_format="%.17g")
print(long.pivot(index="unique_id", columns="model", values="yhat"))
