from typing import Any

from django.http import HttpRequest
from wagtail import hooks
from wagtail.models import Page

from cms.pagecache.middleware import SERVED_PAGE


@hooks.register("before_serve_page")
def remember_served_page(
    page: Page, request: HttpRequest, serve_args: tuple[Any, ...], serve_kwargs: dict[str, Any]
) -> None:
    """Tell the page cache this response is a Wagtail page (only those are stored)."""
    setattr(request, SERVED_PAGE, page)
