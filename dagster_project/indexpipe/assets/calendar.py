"""The XNYS trading calendar as a warehouse table, so dbt derives every rebalance date from real sessions."""

import dagster as dg
import duckdb
import pandas as pd

from indexpipe.calendars import calendar_sessions
from indexpipe.resources import WarehouseResource


@dg.asset(
    key=["raw", "xnys_sessions"],
    group_name="ingestion",
    kinds={"duckdb"},
    description="XNYS trading sessions (exchange-calendars) from 1990 to two years past today; one row per session.",
)
def raw_xnys_sessions(warehouse: WarehouseResource) -> dg.MaterializeResult:
    sessions = calendar_sessions()
    frame = pd.DataFrame({"session_date": pd.to_datetime(sessions).date})
    with duckdb.connect(str(warehouse.db_path)) as con:
        con.execute("create schema if not exists raw")
        con.register("sessions", frame)
        con.execute(
            "create or replace table raw.xnys_sessions as select session_date::date as session_date from sessions order by 1"
        )
    return dg.MaterializeResult(
        metadata={
            "rows": len(frame),
            "first": str(frame.session_date.iloc[0]),
            "last": str(frame.session_date.iloc[-1]),
        }
    )
