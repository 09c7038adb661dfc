"""Tokens of connected Calendly accounts: locked refresh, connect, disconnect, scopes.

Import from the submodules (``oauth.tokens``, ``oauth.connect``, ...): this package imports nothing on
its own. The encryption of stored tokens is ``calendly_integration.crypto``, below the models.
"""
