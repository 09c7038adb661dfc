"""django-allauth providers shipped with the app (add ``calendly_integration.providers.calendly``
to ``INSTALLED_APPS`` next to ``calendly_integration``)."""
