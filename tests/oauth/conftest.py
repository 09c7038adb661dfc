import pytest


@pytest.fixture
def sim(calendly_simulator, calendly_settings_for_simulator):
    """The simulator over HTTP, with CALENDLY pointing at it (API, OAuth, client credentials)."""
    return calendly_simulator


@pytest.fixture
def owner(django_user_model):
    return django_user_model.objects.create_user("olivia", "olivia@example.com", "pw")


@pytest.fixture
def other_user(django_user_model):
    return django_user_model.objects.create_user("mallory", "mallory@example.com", "pw")
