"""Whole pages for anonymous visitors, from a cache that is never stale.

- middleware.py: serves and stores pages, sets Cache-Control for the CDN;
- store.py: cache keys with generation tokens, so a purge is a few writes, never a scan;
- dependencies.py: which pages show a changed page, snippet, image or document;
- purge.py and signals.py: purge those pages (and the CDN) once the change is committed.
"""
