"""``calendly_doctor``: is the installation healthy, and does the mirror match Calendly?

``checks`` looks at the installation (settings, keys, broker, schedules, tokens, webhook
subscriptions); ``verify`` compares a connection's mirror with what Calendly lists now; ``report``
turns both into text or JSON for the command.
"""
