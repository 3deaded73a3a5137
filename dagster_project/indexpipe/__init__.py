"""indexpipe: the Russell US equity index family rebuilt as a Dagster + dbt + DuckDB pipeline."""
