"""Facts the Compose model derives for every rule: services that never run a container."""

from __future__ import annotations

import pytest

from prodready.config import Config
from prodready.engine import scan
from prodready.project.compose import configs
from prodready.testing import write_tree


@pytest.mark.parametrize(("extra", "never"), [
    ("    deploy:\n      replicas: 0\n", True),
    ("    deploy:\n      replicas: \"0\"\n", True),
    ("    scale: 0\n", True),
    ("    deploy:\n      replicas: 2\n", False),
    ("    deploy:\n      replicas: ${REPLICAS:-1}\n", False),
    ("", False),
])
def test_a_service_with_no_replicas_never_runs(tmp_path, extra, never):
    write_tree(tmp_path, {"compose.yaml": f"services:\n  prepull:\n    image: acme/box:1\n"
                                          f"    ports: [\"80:80\"]\n{extra}"})
    result = scan(tmp_path, Config(select=["COMPOSE"]), jobs=1, use_cache=False)
    assert result.project is not None
    svc = configs(result.project)[0].services["prepull"]
    assert svc.never_runs is never
    rules = {f.rule_id for f in result.findings}
    # nothing about running it is judged when no container exists
    assert bool(rules & {"COMPOSE001", "COMPOSE003", "COMPOSE004", "COMPOSE006"}) is not never
