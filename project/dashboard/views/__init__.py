"""The demo pages, one module per page family; ``project.dashboard.urls`` names them."""
