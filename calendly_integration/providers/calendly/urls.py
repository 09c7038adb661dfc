from allauth.socialaccount.providers.oauth2.urls import default_urlpatterns

from calendly_integration.providers.calendly.provider import CalendlyProvider

urlpatterns = default_urlpatterns(CalendlyProvider)
