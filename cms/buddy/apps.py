from django.apps import AppConfig


class BuddyConfig(AppConfig):
    """Buddy, Croody's training guide: its page family (written pages, no coaching engine)."""

    name = "cms.buddy"
    label = "buddy"
