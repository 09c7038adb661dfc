"""Calendly objects to rows: the one way anything is written into the mirror.

``mapping`` turns Calendly's JSON into column dicts; ``fingerprint`` tells a changed row from one
we hold; ``upsert`` writes a sync's pages in a constant number of queries; ``objects`` writes one
object (a webhook payload, an action's read-back) under ``guard``, never over something newer;
``hosts`` replaces an event's hosts for both; ``changes`` writes what an action did when Calendly
cannot be read back. ``sync``, ``webhooks`` and ``services`` all write through here, and this
package imports none of them.
"""
