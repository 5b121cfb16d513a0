"""For translators: the demo content's strings that a language catalogue still lacks."""

import json
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from wagtail_localize.models import StringSegment, TranslationSource

from cms.base.demo.loader import TRANSLATIONS, build_source_site, catalogue


class Command(BaseCommand):
    help = (
        "Write the demo strings missing from translations/<language>.json into "
        "<language>.missing.json (source text -> empty string) for translators."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--language", action="append", help="Only this language (repeatable).")

    def handle(self, *args: Any, **options: Any) -> None:
        sources = []
        for obj in build_source_site():
            source, _created = TranslationSource.get_or_create_from_instance(obj)
            sources.append(source)
        strings = list(
            dict.fromkeys(
                segment.string.data
                for segment in StringSegment.objects.filter(source__in=sources)
                .exclude(context__path="slug")
                .select_related("string")
                .order_by("source_id", "order")
            )
        )
        known = catalogue()
        codes = options["language"] or [c for c, _ in settings.LANGUAGES if c != "es"]
        for code in codes:
            missing = {text: "" for text in strings if code not in known.get(text, {})}
            path = TRANSLATIONS / f"{code}.missing.json"
            if missing:
                path.write_text(json.dumps(missing, ensure_ascii=False, indent=2) + "\n")
                self.stdout.write(f"{code}: {len(missing)} strings missing -> {path}")
            else:
                path.unlink(missing_ok=True)
                self.stdout.write(self.style.SUCCESS(f"{code}: complete"))
