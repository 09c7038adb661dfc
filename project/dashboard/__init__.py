"""The demo site's pages for a signed-in user: their Calendly data, and actions on it.

Every page starts from the models' ``visible_to(user)`` querysets, so a user never reaches
another tenant's rows (a 404, not a 403), and every action goes through
``calendly_integration.services``, the same functions the admin and the REST API call. This
package is the demo (a host site's own pages), not part of the reusable app.
"""
