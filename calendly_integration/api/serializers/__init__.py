"""Serializers, one module per resource family; import them from their modules."""
