"""One Jinja environment for every module's pages; each module registers its template folder."""

from __future__ import annotations

from jinja2 import ChoiceLoader, Environment, PackageLoader, select_autoescape
from starlette.templating import Jinja2Templates

_loader = ChoiceLoader([PackageLoader("yteso.core.web", "templates")])
_environment = Environment(loader=_loader, autoescape=select_autoescape(["html"]))
templates = Jinja2Templates(env=_environment)


def add_template_package(package: str) -> None:
    """Let a module's pages render templates from `<package>/templates`."""
    loader = PackageLoader(package, "templates")
    if all(getattr(existing, "package_name", None) != package for existing in _loader.loaders):
        _loader.loaders = [*_loader.loaders, loader]
