"""The reconstitution preview (docs/preview.md): who the coming reconstitution is likely to add, delete or move, with
probabilities, and what passive funds must trade.

The marts are built by dbt (fct_reconstitution_preview, fct_reconstitution_trade_demand) for the default preview
dates; run.py previews another date through a run of the preview models, show.py prints a preview, backtest.py
scores previews against the changes the rank day then determined.
"""
