"""The roles an artifact can have in what the repository ships, apart from the model that
decides them (project/deployment.py): the scan's report and filters need only these."""

from __future__ import annotations

from dataclasses import dataclass

DEPLOYED = "deployed"
EXAMPLE = "example"
TEST_FIXTURE = "test-fixture"
DEV_TOOLING = "dev-tooling"
DOCS = "docs"
GENERATED = "generated"
PATCH = "kustomize-patch"
ROLES = (DEPLOYED, EXAMPLE, TEST_FIXTURE, DEV_TOOLING, DOCS, GENERATED)
# `--include` names -> the roles they bring back into the report.
INCLUDE_NAMES = {"examples": EXAMPLE, "fixtures": TEST_FIXTURE, "dev": DEV_TOOLING,
                 "docs": DOCS, "generated": GENERATED}
# Rules whose harm does not depend on the artifact shipping: a leaked key in docs/ leaks.
ROLE_BLIND_RULES = frozenset({"REPO001"})


@dataclass(frozen=True, slots=True)
class Role:
    role: str  # one of ROLES, or "" when nothing says (judged like deployed)
    why: str

    @property
    def judged(self) -> bool:
        """Rules judge it by default: deployed, or nothing says otherwise."""
        return self.role in ("", DEPLOYED)


UNCLASSIFIED = Role("", "no deployment references it and its path follows no convention")
