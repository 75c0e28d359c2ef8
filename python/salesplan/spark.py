"""salesplan on Spark: the batch forecast, partition by partition.

:func:`forecast` (and :func:`cross_validation`) repartitions a Spark DataFrame in statsforecast's long
format (``unique_id, ds, y``) by series id, so that each series lies whole
in one partition, and runs :func:`salesplan.forecast` on every partition
through ``mapInArrow``: the rows cross as Arrow batches, and each task
forecasts its series on ``n_jobs`` threads (1 by default: Spark already
runs one task per core). The executors need the wheel installed
(``pip install salesplan-*.whl`` on every node, or ``--py-files`` /
a cluster library on Databricks-style clusters).

The forecasts are those of a local call on the same series, to the bit,
for every model whose intervals are the model's own (the default for named
models). With ``intervals="calibrated"`` (the default of ``model="auto"``)
the widening is learnt on each partition's series, so pass
``intervals="model"`` or ``"conformal"`` (per series) where the numbers
must not depend on the partitioning.

Reconciliation, allocation and sweeps need the whole org tree and stay on
one machine, where they are fast: collect the forecasts to the driver
(``toPandas()``) and plan there.

The same function shape serves Ray and Dask, whose batches are Arrow or
pandas tables: ``ds.map_batches(lambda t: salesplan.forecast(t, h=12),
batch_format="pyarrow")`` after grouping each series into one batch
(Ray), or ``ddf.groupby("unique_id").apply(...)`` /
``ddf.map_partitions(salesplan.forecast, h=12)`` on an index by
``unique_id`` (Dask).
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

import pyarrow as pa

import salesplan

__all__ = ["forecast", "cross_validation"]


def _level(level: float) -> str:
    return str(int(level)) if float(level).is_integer() else str(level)


def _schema(spark_df: Any, level: Sequence[float], id_col: str, time_col: str, wide: bool, models: Sequence[str], target_col: Optional[str] = None) -> Any:
    """The output's schema: the forecasts' (``target_col`` None) or, with
    ``target_col``, the cross-validation's (``cutoff`` and the actuals)."""
    from pyspark.sql.types import DoubleType, StringType, StructField, StructType

    fields = {f.name: f for f in spark_df.schema.fields}
    for name in (id_col, time_col):
        if name not in fields:
            raise salesplan.SalesplanError(
                f"<DataFrame>: no column '{name}' (columns: {', '.join(fields)})"
            )
    period = fields[time_col].dataType
    out = [StructField(id_col, StringType()), StructField(time_col, period)]
    if target_col is not None:
        out += [StructField("cutoff", period), StructField(target_col, DoubleType())]
    if wide:
        for model in models:
            name = salesplan._model_names(model)[1]
            out.append(StructField(name, DoubleType()))
            for side in ("lo", "hi"):
                for l in sorted(level):
                    out.append(StructField(f"{name}-{side}-{_level(l)}", DoubleType()))
    else:
        out += [StructField("model", StringType()), StructField("mean", DoubleType())]
        for l in level:
            out += [
                StructField(f"lo-{_level(l)}", DoubleType()),
                StructField(f"hi-{_level(l)}", DoubleType()),
            ]
    return StructType(out)


def forecast(
    spark_df: Any,
    h: int,
    model: str = "auto-ets",
    level: Sequence[float] = (80, 95),
    season_length: Optional[int] = None,
    intervals: Optional[str] = None,
    nonnegative: Optional[str] = None,
    freq: Optional[str] = None,
    n_jobs: Optional[int] = 1,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
    wide: bool = False,
    partitions: Optional[int] = None,
) -> Any:
    """Forecasts every series of a Spark DataFrame ``h`` periods ahead, as
    :func:`salesplan.forecast` does (the same arguments), and returns a
    Spark DataFrame with the same columns; ``partitions`` is how many the
    series are spread over (default: the session's shuffle partitions).
    A series that fails is left out, as locally.
    """
    level = [float(v) for v in level]
    schema = _schema(spark_df, level, id_col, time_col, wide, [model])
    options = dict(
        model=model,
        level=level,
        season_length=season_length,
        intervals=intervals,
        nonnegative=nonnegative,
        freq=freq,
        n_jobs=n_jobs,
        id_col=id_col,
        time_col=time_col,
        target_col=target_col,
        wide=wide,
    )

    return _per_partition(spark_df, schema, lambda table: salesplan.forecast(table, h, **options), id_col, time_col, partitions)


def _per_partition(spark_df: Any, schema: Any, local: Any, id_col: str, time_col: str, partitions: Optional[int], periods: Sequence[str] = ()) -> Any:
    """Runs ``local`` (a pyarrow table in, one out) on each partition of
    ``spark_df`` repartitioned by ``id_col``, giving the ``time_col`` and
    ``periods`` columns back the input's period type."""

    def run(batches):
        table = pa.Table.from_batches(list(batches))
        if table.num_rows == 0:
            return
        out = local(table)
        # the periods as the input typed them (an int32 column stays int32)
        period = table.schema.field(time_col).type
        for name in (time_col, *periods):
            k = out.column_names.index(name)
            out = out.set_column(k, name, out.column(k).cast(period))
        yield from out.to_batches()

    by_id = spark_df.repartition(partitions, id_col) if partitions else spark_df.repartition(id_col)
    return by_id.mapInArrow(run, schema)


def cross_validation(
    spark_df: Any,
    h: int,
    n_windows: int = 1,
    step_size: int = 1,
    models: Sequence[str] = ("auto-ets",),
    level: Sequence[float] = (80, 95),
    season_length: Optional[int] = None,
    nonnegative: Optional[str] = None,
    freq: Optional[str] = None,
    n_jobs: Optional[int] = 1,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
    wide: bool = False,
    partitions: Optional[int] = None,
) -> Any:
    """Every model's forecasts from ``n_windows`` origins of every series
    of a Spark DataFrame, as :func:`salesplan.cross_validation` gives them
    (the same arguments, the same columns, the same numbers: a series'
    windows depend on that series alone), as a Spark DataFrame.
    """
    level = [float(v) for v in level]
    models = [str(m) for m in models]
    schema = _schema(spark_df, level, id_col, time_col, wide, models, target_col)
    options = dict(
        n_windows=n_windows,
        step_size=step_size,
        models=models,
        level=level,
        season_length=season_length,
        nonnegative=nonnegative,
        freq=freq,
        n_jobs=n_jobs,
        id_col=id_col,
        time_col=time_col,
        target_col=target_col,
        wide=wide,
    )
    local = lambda table: salesplan.cross_validation(table, h, **options)  # noqa: E731
    return _per_partition(spark_df, schema, local, id_col, time_col, partitions, ["cutoff"])
