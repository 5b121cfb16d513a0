"""Purge on every change that shows on a page, however it is made (admin, API, commands).

Pages: any save that changes what a live page shows (publishing, unpublishing, an alias
updated from its source, a move, a plain `save()` in a script), and deletion. Snippets,
images and documents: save and deletion. Sites and locales: everything.
"""

from typing import Any

from django.db.models import Model
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Locale, Page, Site
from wagtail.signals import pre_page_move
from wagtail.snippets.models import get_snippet_models

from cms.pagecache.dependencies import PageState, listing, page_change, shown_on
from cms.pagecache.fragments import fragment_cache_enabled
from cms.pagecache.middleware import page_cache_enabled
from cms.pagecache.purge import Purge, schedule

BEFORE = "_pagecache_before"  # a page's state before this save, kept on the instance
# Fields Wagtail saves alone for drafts, locks, workflows and tree bookkeeping: none is shown.
BOOKKEEPING = frozenset(
    {
        "wagtail_admin_comments",
        "latest_revision",
        "latest_revision_created_at",
        "draft_title",
        "has_unpublished_changes",
        "locked",
        "locked_at",
        "locked_by",
        "numchild",
        "live_revision",
    }
)
FILE_METADATA = frozenset({"file_size", "file_hash"})  # filled in lazily by Wagtail


def connect() -> None:
    pre_save.connect(remember_page_state, dispatch_uid="pagecache-pre-save")
    post_save.connect(page_saved, dispatch_uid="pagecache-page-saved")
    pre_delete.connect(page_deleted, dispatch_uid="pagecache-page-deleted")
    pre_page_move.connect(page_moving, dispatch_uid="pagecache-page-moving")
    # Snippets may be registered after this app is ready (wagtail_hooks): checked when saved.
    post_save.connect(object_changed, dispatch_uid="pagecache-object-saved")
    pre_delete.connect(object_changed, dispatch_uid="pagecache-object-deleted")
    for model in (Site, Locale):
        post_save.connect(everything_changed, sender=model, dispatch_uid=f"pagecache-{model}-s")
        post_delete.connect(everything_changed, sender=model, dispatch_uid=f"pagecache-{model}-d")


def purging() -> bool:
    """Purges keep whole pages and the fragments every page repeats (fragments.py) current:
    needed while either cache is on, even with the page cache off."""
    return page_cache_enabled() or fragment_cache_enabled()


def is_shown_model(model: type[Model]) -> bool:
    """Snippets, images and documents: objects pages show (pages have their own handlers)."""
    return model in get_snippet_models() or model in (get_image_model(), get_document_model())


def _shows_change(update_fields: frozenset[str] | None, ignored: frozenset[str]) -> bool:
    return update_fields is None or not set(update_fields) <= ignored


def remember_page_state(
    sender: type[Model],
    instance: Model,
    update_fields: frozenset[str] | None = None,
    raw: bool = False,
    **kwargs: Any,
) -> None:
    if raw or not isinstance(instance, Page) or instance.pk is None or not purging():
        return
    if not _shows_change(update_fields, BOOKKEEPING):
        return
    stored = Page.objects.filter(pk=instance.pk).select_related("locale").first()
    if stored is not None:
        setattr(instance, BEFORE, PageState.of(stored))


def page_saved(
    sender: type[Model],
    instance: Model,
    update_fields: frozenset[str] | None = None,
    raw: bool = False,
    **kwargs: Any,
) -> None:
    if raw or not isinstance(instance, Page) or not purging():
        return
    if not _shows_change(update_fields, BOOKKEEPING):
        return
    before: PageState | None = instance.__dict__.pop(BEFORE, None)
    after = PageState.of(instance)
    if before is not None and not before.live and not after.live:
        return  # never visible, before or after
    if before is None and not after.live:
        return  # created as a draft
    schedule(page_change(instance, before, after if after.live else None))


def page_deleted(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    if not isinstance(instance, Page) or not purging():
        return
    stored = Page.objects.filter(pk=instance.pk).select_related("locale").first()
    if stored is not None and stored.live:
        schedule(page_change(stored, PageState.of(stored), None))


def page_moving(
    sender: type[Page], instance: Page, parent_page_before: Page, **kwargs: Any
) -> None:
    """The old parent may list the page; the save after the move purges the rest."""
    if purging() and instance.live:
        schedule(listing(parent_page_before))


def object_changed(
    sender: type[Model],
    instance: Model,
    update_fields: frozenset[str] | None = None,
    raw: bool = False,
    **kwargs: Any,
) -> None:
    if raw or not is_shown_model(type(instance)) or not purging():
        return
    if not _shows_change(update_fields, FILE_METADATA):
        return
    schedule(shown_on(instance))


def everything_changed(
    sender: type[Model], instance: Model, raw: bool = False, **kwargs: Any
) -> None:
    if not raw and purging():
        schedule(Purge(trees={"/"}))
