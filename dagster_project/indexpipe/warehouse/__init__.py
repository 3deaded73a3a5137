"""The warehouse's promises: one writer at a time (``lock``), runs that change it all or not at all (``staging``),
a record of which raw tables its marts were built from (``state``), and the atomic Parquet publication
(``published``). docs/reliability.md says what each promises and what it does not."""
