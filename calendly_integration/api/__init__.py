"""The REST API: DRF viewsets under one router (``calendly_integration.api.urls``).

Include it under any prefix: ``path("api/", include("calendly_integration.api.urls"))``. Every
queryset starts from ``visible_to(request.user)``, actions go through ``calendly_integration.services``
and every failure answers clear JSON (``api.exceptions``).
"""
