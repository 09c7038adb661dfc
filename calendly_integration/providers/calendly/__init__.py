"""The django-allauth provider ``calendly``: sign up, log in and connect with Calendly."""
