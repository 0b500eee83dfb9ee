"""File membership and router prefixes of the service model, computed once per project,
give exactly what the direct definitions give (checked against them on random projects)."""

from __future__ import annotations

import random

import pytest

from prodready.facts import MountFact, PythonFacts, RouterFact, module_name
from prodready.project import services


def belongs(path: str, root: str, roots: set[str]) -> bool:
    """The definition: the deepest service root above a file owns it; shared code is
    everyone's."""
    def under(r: str) -> bool:
        return not r or path.startswith(r + "/")

    deepest = max((r for r in roots if under(r)), key=len, default=None)
    return deepest == root or deepest is None


def prefixes(facts: dict[str, PythonFacts], files: list[str], urlconf: dict[str, str]
             ) -> dict[tuple[str, str], str | None]:
    """The definition: the mount among the files that names the router most specifically
    (the longest dotted name that matches; the bare name only from the router's own file),
    the first in file order among equals; a Django include() (a mount without owner) below
    its urlconf's own prefix."""
    mounts = [(facts[p], m) for p in files for m in facts[p].mounts]
    out: dict[tuple[str, str], str | None] = {}
    for path in files:
        pf = facts[path]
        for router in pf.routers:
            qualified = f"{pf.module}.{router.var}"
            parts = len(qualified.split("."))
            best: tuple[int, str] | None = None
            for owner, mount in mounts:
                target = mount.target
                if target == qualified or (qualified.endswith("." + target) and "." in target):
                    rank = parts - len(target.split("."))
                elif owner.path == path and target == router.var:
                    rank = parts - 1
                else:
                    continue
                prefix = mount.prefix
                if not mount.owner:
                    prefix = urlconf.get(owner.path, "") + prefix
                if best is None or rank < best[0]:
                    best = (rank, prefix)
            out[(path, router.var)] = None if best is None else best[1] + router.prefix
    return out


DIRS = ["", "svc", "svc/a", "svc/a/api", "svc/b", "lib", "lib/shared", "src/app"]


def random_project(rng: random.Random) -> dict[str, PythonFacts]:
    paths = sorted({f"{rng.choice(DIRS)}/m{rng.randrange(6)}.py".lstrip("/")
                    for _ in range(rng.randrange(1, 25))})
    facts = {p: PythonFacts(path=p, module=module_name(p)) for p in paths}
    names = ["router", "api", "bp"]
    for pf in facts.values():
        for var in rng.sample(names, rng.randrange(0, 3)):
            pf.routers.append(RouterFact(var, "router", rng.choice(["", "/r"]), 1))
    for pf in facts.values():
        for _ in range(rng.randrange(0, 3)):
            other = facts[rng.choice(paths)]
            var = rng.choice(names)
            target = rng.choice([f"{other.module}.{var}", var,
                                 ".".join(f"{other.module}.{var}".split(".")[-2:])])
            owner = rng.choice(["app", "app", ""])  # "": a Django include()
            pf.mounts.append(MountFact(owner, target, f"/p{rng.randrange(9)}", 1))
    return facts


@pytest.mark.parametrize("seed", range(200))
def test_membership_and_prefixes_match_their_definitions(seed: int) -> None:
    rng = random.Random(seed)
    facts = random_project(rng)
    roots = set(rng.sample(DIRS, rng.randrange(1, 4)))
    paths = sorted(facts)
    by_root = services._files_by_root(paths, roots)
    index = services._MountIndex(facts)
    urlconf = {p: f"/u{rng.randrange(3)}" for p in paths if rng.random() < 0.5}
    for root in roots:
        assert by_root[root] == [p for p in paths if belongs(p, root, roots)]
        assert services._router_prefixes(facts, by_root[root], index, urlconf,
                                         services._Settings(facts)) == prefixes(
            facts, by_root[root], urlconf)
