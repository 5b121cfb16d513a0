from django.apps import AppConfig


class PageCacheConfig(AppConfig):
    """Full-page cache for anonymous visitors, purged by content changes."""

    name = "cms.pagecache"
    label = "pagecache"

    def ready(self) -> None:
        from cms.pagecache import signals

        signals.connect()
