"""DOCKER006 secret-in-image."""

from __future__ import annotations

import fnmatch
import re

from ...artifacts.dockerfile import Dockerfile, variables
from ...project import Project
from ...project.images import context_file
from ...secretcontext import (
    identity_values,
    is_placeholder,
    is_real_secret_value,
    repeats_identity,
)
from ...secretnames import is_secret_name
from ..api import RuleContext

SCOPE = "project"  # whether a copied config file holds a credential is read from the repo
SECRET_FILES = (".env", ".env.*", "id_rsa", "id_ed25519", "id_ecdsa", "*.pem", "*.key",
                "*.p12", "*.pfx", "credentials", "credentials.json", ".netrc", ".npmrc",
                ".pypirc", "service-account*.json")
NOT_SECRET_FILES = (".env.example", ".env.sample", ".env.template", "*.pub")
# Package-manager configs are credentials only when they hold one: registry settings alone
# (or an empty file) are not.
CONFIG_FILES = (".npmrc", ".pypirc", ".netrc")
CREDENTIAL = re.compile(r"_auth|token|password|passwd|secret|(^|\s)login\s", re.IGNORECASE)


def check(project: Project, ctx: RuleContext) -> None:
    for _, df in sorted(project.dockerfiles.items()):
        if isinstance(df, Dockerfile):
            _check(project, df, ctx)


def _check(project: Project, df: Dockerfile, ctx: RuleContext) -> None:
    for stage in df.stages:
        # the user and database names beside a credential (`ENV DB_USER=app`)
        identities = identity_values(dict(
            pair for ins in stage.instructions if ins.keyword in ("ENV", "ARG")
            for pair in variables(ins.keyword, ins.args)))
        for ins in stage.instructions:
            if ins.keyword in ("ENV", "ARG"):
                for name, value in variables(ins.keyword, ins.args):
                    # An image default is what runs when nobody overrides it: `changeme` is
                    # a known secret there, only template slots are placeholders; but a
                    # value that says it is one (`change-me-in-production`) leaks nothing,
                    # so it is information. A password that repeats its user
                    # (`postgresql://app:app@db/app`) is the sample default of a Compose
                    # network's database, which nobody takes for one; so is the server's
                    # stock password (`POSTGRES_PASSWORD=postgres`).
                    if is_secret_name(name, value) and is_real_secret_value(
                            value, df.path, strict=True) and not repeats_identity(
                            value, identities, name):
                        ctx.report(df.path, ins.line, ins.column,
                                   f"{ins.keyword} {name} bakes a secret into the image "
                                   "layers, readable by anyone who can pull it; pass it at "
                                   "run time or use a BuildKit secret mount",
                                   snippet=f"{ins.keyword} {name}=<redacted>",
                                   informational="the value says it is a placeholder: nothing "
                                   "secret leaks, but the image runs with it unless it is "
                                   "overridden" if is_placeholder(value) else "")
                    else:
                        ctx.examine()
            elif ins.keyword in ("COPY", "ADD") and "from" not in ins.flags:
                for source in ins.copy_words()[:-1]:
                    name = source.rstrip("/").rsplit("/", 1)[-1]
                    if any(fnmatch.fnmatch(name, p) for p in SECRET_FILES) and not any(
                            fnmatch.fnmatch(name, p) for p in NOT_SECRET_FILES) and not \
                            _holds_no_credential(project, df, source, name):
                        ctx.report(df.path, ins.line, ins.column,
                                   f"{ins.keyword} copies {source!r} into the image: the "
                                   "credential ships in every layer; mount it at run time",
                                   snippet=ins.raw.partition("\n")[0])
                    else:
                        ctx.examine()


_CERTIFICATE_NAME = re.compile(r"(?:^|[-_.])(?:cert|certs|certificate|fullchain|chain|ca|"
                               r"cacert|ca-bundle|bundle)(?:[-_.]|$)")


def _holds_no_credential(project: Project, df: Dockerfile, source: str, name: str) -> bool:
    """A package-manager config the repository holds, with no credential in it, or a PEM or
    key file of public material only (a public key, a certificate, a PGP public key block).
    A file written at build time from a CI secret is not in the repository and stays
    flagged."""
    key_material = name.endswith((".pem", ".key"))
    if name not in CONFIG_FILES and not key_material:
        return False
    path = context_file(project, df, source)
    text = project.texts.get(path) if path else None
    if text is None:
        # not in the repository (made by `make ssl`, say): only its name tells, and
        # `cert.pem`, `fullchain.pem` name a certificate, public material
        return name.endswith(".pem") and "key" not in name.lower() and bool(
            _CERTIFICATE_NAME.search(name.lower()))
    if key_material:
        # `nodesource-repo.gpg.key` is a PGP *public* key block that verifies an apt source
        return "-----BEGIN" in text and "PRIVATE KEY" not in text
    return not CREDENTIAL.search(text)
