from django.apps import AppConfig


class BuddyConfig(AppConfig):
    """Buddy, the AI coach: its page family (models arrive with the site issue)."""

    name = "cms.buddy"
    label = "buddy"
