"""The routes a Django admin site serves where a urlconf mounts it (`path("admin/",
admin.site.urls)`): the site's own pages, one index per app and six pages per registered
model, as `AdminSite.get_urls` builds them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..facts import DEFAULT_ADMIN, PythonFacts

if TYPE_CHECKING:
    from .services import Route

SITE_PAGES = ("", "login/", "logout/", "password_change/", "password_change/done/",
              "autocomplete/", "jsi18n/", "r/<int:content_type_id>/<path:object_id>/")
MODEL_PAGES = ("", "add/", "<path:object_id>/history/", "<path:object_id>/delete/",
               "<path:object_id>/change/", "<path:object_id>/")


def admin_sites(facts: dict[str, PythonFacts]) -> dict[str, list[tuple[str, str]]]:
    """Site -> its registered (app label, model name), in registration order."""
    sites: dict[str, list[tuple[str, str]]] = {DEFAULT_ADMIN: []}
    for path in sorted(facts):
        for site, app, model in facts[path].admin_models:
            known = sites.setdefault(site, [])
            if (app, model) not in known:  # unregistered then registered again
                known.append((app, model))
    return sites


def admin_routes(base: str, models: list[tuple[str, str]], handler: str, file: str,
                 line: int) -> list[Route]:
    """The pages of one admin site mounted at `base` (ending in "/")."""
    from .services import Route

    paths = [base + page for page in SITE_PAGES]
    for app in dict.fromkeys(app for app, _ in models):
        paths.append(f"{base}{app}/")
    for app, model in models:
        paths += [f"{base}{app}/{model}/{page}" for page in MODEL_PAGES]
    # a model's pages are operations on a resource: `/admin/api/ping/` is no probe
    return [Route(p, ("GET",), handler, file, line, (), False, True, strong_health_only=True)
            for p in paths]
