"""Viewsets, one module per resource family; ``api.urls`` registers them on one router."""
