"""Importers: turn freely available files into a contract input directory (``indexpipe import``).

One small reader per file format (``nasdaq_screener``, ``daily_bars``, ``sec_tickers``, ``barchart_sql``,
``ishares_holdings``, ``ftse_symbols``), inference modules that know nothing about files (``tickers``,
``names``, ``security_types``, ``countries``, ``icb_sectors``, ``companies``), and one assembly per vendor set
(``public_market``). A new vendor format is one more reader feeding the same inference and assembly.
"""
