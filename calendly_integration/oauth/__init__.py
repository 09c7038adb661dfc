"""Tokens of connected Calendly accounts: encrypted storage, locked refresh, connect, disconnect.

Import from the submodules (``oauth.tokens``, ``oauth.connect``, ...): this package imports nothing on
its own, so the models can use ``oauth.crypto`` without an import cycle.
"""
