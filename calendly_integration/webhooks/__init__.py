"""Calendly webhooks: receive, log, deduplicate, process, and keep the subscriptions alive.

- ``signature``: the pure check of ``Calendly-Webhook-Signature``.
- ``receiver``: the view (validators, then the delivery log) and ``urls``: its URL.
- ``dedupe``: the dedupe key and the race-safe insert of a delivery; ``batching``: deliveries
  arriving together share one INSERT; ``rows``: the plain INSERT statements; ``lookup``: the
  per-process memory of subscriptions; ``drain``: one wake-up task per short window.
- ``processing``: one handler per event name, writing through ``calendly_integration.mirror``.
- ``subscriptions``: ensure, heal and delete each connection's subscriptions; ``callback_tokens``:
  the signed tokens of their callback URLs.
- ``slack``: notifications, as receivers of the app's own signals; ``signal_handlers``: the wiring.
- ``retention``: pruning the delivery log. Work is queued through ``calendly_integration.queueing``.
"""
