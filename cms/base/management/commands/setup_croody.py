"""Idempotent set-up run by `make run`: locales, demo content, an admin login."""

import logging
import os
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from wagtail.models import Site

from cms.base.demo.loader import build_source_site, redirect_suffixed_urls, translate_demo_site
from cms.base.localization import ensure_locales, sync_trees
from cms.base.message_catalogues import compile_catalogues
from cms.base.site_url import configure_default_site


class Command(BaseCommand):
    help = (
        "Create the 8 locales (synchronised from Spanish), the demo content and an admin "
        "login, and point the default site at SITE_URL. Safe to run again: it only adds what "
        "is missing and brings demo content made by an older version up to date."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-demo", action="store_true", help="Create locales and the admin only."
        )
        parser.add_argument(
            "--admin-username", default="admin", help="Username of the admin (default: admin)."
        )
        parser.add_argument(
            "--no-admin", action="store_true", help="Do not create or report an admin user."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Wagtail logs every publish; this command reports its own progress instead.
        logging.getLogger("wagtail").setLevel(logging.WARNING)
        self.step("Interface translations (compilemessages)")
        compiled = compile_catalogues()
        self.done(f"{len(compiled)} compiled" if compiled else "up to date")

        self.step("Locales")
        locales = ensure_locales()
        self.done(", ".join(locale.language_code for locale in locales))

        if not options["no_demo"]:
            self.step("Demo pages, images and snippets (es)")
            objects = build_source_site()
            self.done(f"{len(objects)} objects")

            self.step("Translations (wagtail-localize)")
            made: list[str] = []
            translate_demo_site(objects, made.append)
            self.done(f"{len(made)} objects translated" if made else "all present")

            self.step("Language trees synchronised from es")
            sync_trees()
            self.done("ok")

            self.step("Redirects from the old suffixed URLs")
            added = redirect_suffixed_urls(objects)
            self.done(f"{added} added" if added else "all present")

        if Site.objects.filter(is_default_site=True).exists():
            self.step("Site address (SITE_URL)")
            site = configure_default_site()
            self.done(site.root_url)

        call_command("rebuild_product_search", verbosity=0)  # catalogue search (cms.shop.search)

        if not options["no_admin"]:
            self.ensure_admin(options["admin_username"])

    def ensure_admin(self, username: str) -> None:
        """Create the admin once, keeping its generated password in var/ so `make run` can
        print it each time; a password changed by the user is never overwritten or shown."""
        self.step("Admin user")
        user_model = get_user_model()
        password_file = settings.VAR_DIR / "admin-password"
        user = user_model.objects.filter(username=username).first()
        if user is None:
            password = os.environ.get("CROODY_ADMIN_PASSWORD") or secrets.token_urlsafe(12)
            user = user_model.objects.create_superuser(username, "admin@croody.local", password)
            settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
            password_file.write_text(password)
            password_file.chmod(0o600)
            self.done("created")
        else:
            self.done("already there")
        stored = password_file.read_text().strip() if password_file.exists() else ""
        if stored and user.check_password(stored):
            self.stdout.write(
                self.style.SUCCESS(f"\n  Admin login: {username} / {stored}  (/admin/)\n")
            )
        else:
            self.stdout.write(
                f"\n  Admin login: {username} (password changed since set-up; reset it with "
                f"`python manage.py changepassword {username}`)\n"
            )

    def step(self, label: str) -> None:
        self.stdout.write(f"  {label}… ", ending="")
        self.stdout.flush()

    def done(self, detail: str) -> None:
        self.stdout.write(self.style.SUCCESS(detail))
