"""The core: client, wire normalisation, metrics, engine, store, comparison.

Never imports Textual (enforced by an import-linter contract, tests/test_layering.py).
"""
