"""Deterministic synthetic US equity market in the input-contract format (the embedded default)."""

from indexpipe.generator.market import MarketConfig, generate_market, write_market

__all__ = ["MarketConfig", "generate_market", "write_market"]
