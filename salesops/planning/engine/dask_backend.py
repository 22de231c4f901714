"""statsforecast's own distributed backend, with the two changes :mod:`.distributed` explains:
float64 results and one statsforecast call per partition of series instead of per series.

Imported only when a cluster is used (it imports fugue and statsforecast's Fugue backend).
"""

from __future__ import annotations

from typing import Any

import fugue.api as fa
import pyarrow as pa
from fugue import transform
from statsforecast.distributed.fugue import FugueBackend
from triad import Schema


class ExactFugueBackend(FugueBackend):
    """``FugueBackend`` whose forecasts equal those of one process; no exogenous variables.

    ``partitions`` is the number of hash partitions of the series (0: Fugue's default,
    twice the cluster's parallelism).
    """

    def __init__(self, engine: Any = None, conf: Any = None, *, partitions: int = 0, **transform_kwargs: Any):
        super().__init__(engine, conf, **transform_kwargs)
        self._partitions = partitions

    def _get_output_schema(self, **kwargs: Any) -> Schema:
        schema = super()._get_output_schema(**kwargs)
        return Schema([pa.field(f.name, pa.float64()) if pa.types.is_float32(f.type) else f for f in schema.fields])

    def forecast(
        self,
        *,
        df: Any,
        freq: Any,
        models: list[Any],
        fallback_model: Any,
        X_df: Any,  # noqa: N803 (statsforecast's name)
        h: int,
        level: list[int] | None,
        fitted: bool,
        prediction_intervals: Any,
        id_col: str,
        time_col: str,
        target_col: str,
    ) -> Any:
        """``FugueBackend.forecast`` with coarse partitions (see the module's docstring)."""
        if X_df is not None:
            raise ValueError("forecasts with exogenous variables are not supported on the cluster")
        self._fcst_schema = self._get_output_schema(
            df=df, models=models, level=level, mode="forecast", id_col=id_col, time_col=time_col, target_col=target_col
        )
        self._fitted_schema = self._fcst_schema + fa.get_schema(df).extract([target_col])
        params = {
            "models": models,
            "freq": freq,
            "fallback_model": fallback_model,
            "h": h,
            "level": level,
            "prediction_intervals": prediction_intervals,
            "id_col": id_col,
            "time_col": time_col,
            "target_col": target_col,
        }
        options = {
            "params": params,
            "partition": {"by": id_col, "algo": "coarse", "num": self._partitions},
            "engine": self._engine,
            "engine_conf": self._conf,
        }
        if not fitted:
            return transform(df, self._forecast_noX, schema=self._fcst_schema, **options)
        # Persisted so that reading the fitted values afterwards does not fit the models again.
        self._results = fa.persist(transform(df, self._forecast_noX_fitted, schema="a:binary, b:binary", **options))
        return transform(
            self._results, FugueBackend._retrieve_forecast_df, schema=self._fcst_schema, engine=self._engine
        )
