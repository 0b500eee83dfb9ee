"""The routes a DRF router generates for a registered viewset: a list and a detail route
carrying the standard actions the viewset has (through DRF's mixins and generic viewsets or
its own methods) and one route per extra `@action`."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from typing import TYPE_CHECKING

from ..artifacts.pyast import qualified
from ..facts import VIEWSET_METHODS, ActionFact, PythonFacts, ViewSetFact

if TYPE_CHECKING:
    from .services import Route

# The standard actions DRF's own classes bring (by class name: projects import them from
# `rest_framework.viewsets`, `rest_framework.mixins` or re-export them).
LIBRARY_ACTIONS: dict[str, tuple[str, ...]] = {
    "ModelViewSet": ("list", "create", "retrieve", "update", "partial_update", "destroy"),
    "ReadOnlyModelViewSet": ("list", "retrieve"),
    "ListModelMixin": ("list",),
    "CreateModelMixin": ("create",),
    "RetrieveModelMixin": ("retrieve",),
    "UpdateModelMixin": ("update", "partial_update"),
    "DestroyModelMixin": ("destroy",),
    "GenericViewSet": (),
    "ViewSet": (),
    "ViewSetMixin": (),
    "GenericAPIView": (),
    "APIView": (),
    "object": (),
}


@dataclasses.dataclass(slots=True)
class _Shape:
    actions: set[str]  # standard actions: list, create, retrieve, …
    extra: list[ActionFact]
    lookup: str
    complete: bool  # every base class is known


class ViewSets:
    """The viewset-like classes of the project, by qualified and by bare name."""

    def __init__(self, facts: dict[str, PythonFacts]) -> None:
        self.full: dict[str, ViewSetFact] = {}
        self.bare: dict[str, list[ViewSetFact]] = defaultdict(list)
        for pf in facts.values():
            for name, shape in pf.viewsets.items():
                self.full[name] = shape
                self.bare[name.rsplit(".", 1)[-1]].append(shape)

    def find(self, name: str, module: str = "") -> ViewSetFact | None:
        for candidate in (name, f"{module}.{name}"):
            if candidate in self.full:
                return self.full[candidate]
        # imported under another package root (`polar.x` for `server/polar/x.py`)
        same = self.bare.get(name.rsplit(".", 1)[-1], [])
        return same[0] if len(same) == 1 else None

    def _shape(self, shape: ViewSetFact, seen: frozenset[int]) -> _Shape:
        out = _Shape(set(shape.methods), list(shape.actions), shape.lookup, True)
        for base in shape.bases:
            found = self.find(base)
            if found is not None and id(found) not in seen:
                inherited = self._shape(found, seen | {id(found)})
            elif base.rsplit(".", 1)[-1] in LIBRARY_ACTIONS:
                inherited = _Shape(set(LIBRARY_ACTIONS[base.rsplit(".", 1)[-1]]), [], "", True)
            else:
                out.complete = False
                continue
            out.actions |= inherited.actions
            names = {a.name for a in out.extra}  # a subclass's action overrides its base's
            out.extra += [a for a in inherited.extra if a.name not in names]
            out.lookup = out.lookup or inherited.lookup
            out.complete = out.complete and inherited.complete
        return out

    def expand(self, route: Route, pf: PythonFacts) -> list[Route]:
        """The routes of `router.register(prefix, ViewSet)`; the registration's single list
        route as it was when the viewset is not the project's or its shape is unknown."""
        found = self.find(qualified(route.handler, pf.names), pf.module)
        if found is None or route.path is None:
            return [route]
        shape = self._shape(found, frozenset({id(found)}))
        base = route.path if route.path.endswith("/") else route.path + "/"
        lookup = f"<{shape.lookup or 'pk'}>/"

        def methods(kind: str) -> tuple[str, ...]:
            return tuple(dict.fromkeys(m for name, (k, m) in VIEWSET_METHODS.items()
                                       if k == kind and name in shape.actions))

        listed = methods("") or (() if shape.complete else route.methods)
        out: list[Route] = []
        if listed:
            out.append(dataclasses.replace(route, methods=listed))
        out += [dataclasses.replace(route, path=f"{base}{a.url_path}/", methods=a.methods,
                                    handler=f"{route.handler}.{a.name}", strong_health_only=True)
                for a in shape.extra if not a.detail]
        if methods("d"):
            out.append(dataclasses.replace(route, path=base + lookup, methods=methods("d")))
        out += [dataclasses.replace(route, path=f"{base}{lookup}{a.url_path}/",
                                    methods=a.methods, handler=f"{route.handler}.{a.name}",
                                    strong_health_only=True)
                for a in shape.extra if a.detail]
        return out
