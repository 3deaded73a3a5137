"""The warehouse's promises: one writer at a time (``lock``), runs that change it all or not at all (``staging``),
a record of which raw tables its marts were built from (``state``), the atomic Parquet publication
(``published``), and read-only access for the commands that only read it (``read_only``: report, holdings).
docs/reliability.md says what each promises and what it does not."""

from indexpipe.warehouse.read_only import WarehouseError, connect_read_only, require_relations

__all__ = ["WarehouseError", "connect_read_only", "require_relations"]
