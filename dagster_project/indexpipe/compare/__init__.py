"""The outside check (docs/real-data.md): a warehouse against what the real indexes published.

``membership`` compares index membership with ETF holdings files; ``levels`` compares index levels with a
published daily series. Both read the warehouse read-only and return plain results; ``report`` prints and writes
them.
"""
