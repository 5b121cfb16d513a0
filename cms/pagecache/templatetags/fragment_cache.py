"""{% cached_fragment %}: a part of every page kept as HTML until a purge (fragments.py).

    {% load fragment_cache %}
    {% cached_fragment "footer" "language" year unless footer_links social_links %}
        …
    {% endcached_fragment %}

The name, then the scope ("page": varies with the request's path and its tokens;
"language": with the language's), then any values it also varies on. After `unless`,
context variables that, when set, replace what is cached (a view's own footer links): the
fragment is then rendered, not cached.
"""

from django import template
from django.conf import settings
from django.template.base import FilterExpression, NodeList, Parser, Token
from django.utils.safestring import SafeString, mark_safe

from cms.pagecache.fragments import SCOPES, fragment_key, fragments_cache

register = template.Library()


class CachedFragmentNode(template.Node):
    def __init__(
        self,
        nodelist: NodeList,
        name: str,
        scope: str,
        vary: list[FilterExpression],
        unless: list[FilterExpression],
    ) -> None:
        self.nodelist = nodelist
        self.name = name
        self.scope = scope
        self.vary = vary
        self.unless = unless

    def render(self, context: template.Context) -> SafeString:
        request = context.get("request")
        key = None
        if request is not None and not any(value.resolve(context) for value in self.unless):
            vary = [value.resolve(context) for value in self.vary]
            key = fragment_key(request, self.name, self.scope, vary)
        if key is None:
            return self.nodelist.render(context)
        cache = fragments_cache()
        html = cache.get(key)
        if html is None:
            html = self.nodelist.render(context)
            cache.set(key, str(html), settings.FRAGMENT_CACHE_SECONDS)
        return mark_safe(html)  # noqa: S308 - HTML our own templates rendered


@register.tag
def cached_fragment(parser: Parser, token: Token) -> CachedFragmentNode:
    bits = token.split_contents()
    if len(bits) < 3:
        raise template.TemplateSyntaxError(f"{bits[0]} takes a name and a scope")
    name, scope = (bit.strip("\"'") for bit in bits[1:3])
    if scope not in SCOPES:
        raise template.TemplateSyntaxError(f"{bits[0]}: the scope is one of {SCOPES}")
    rest = bits[3:]
    split = rest.index("unless") if "unless" in rest else len(rest)
    vary = [parser.compile_filter(bit) for bit in rest[:split]]
    unless = [parser.compile_filter(bit) for bit in rest[split + 1 :]]
    nodelist = parser.parse(("endcached_fragment",))
    parser.delete_first_token()
    return CachedFragmentNode(nodelist, name, scope, vary, unless)
