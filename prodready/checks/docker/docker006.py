"""DOCKER006 secret-in-image."""

from __future__ import annotations

import fnmatch

from ...artifacts.dockerfile import Dockerfile, Instruction, variables
from ...secretcontext import is_real_secret_value
from ...secretnames import is_secret_name
from ..api import RuleContext

SCOPE = "dockerfile"
SECRET_FILES = (".env", ".env.*", "id_rsa", "id_ed25519", "id_ecdsa", "*.pem", "*.key",
                "*.p12", "*.pfx", "credentials", "credentials.json", ".netrc", ".npmrc",
                ".pypirc", "service-account*.json")
NOT_SECRET_FILES = (".env.example", ".env.sample", ".env.template", "*.pub")


def check(df: Dockerfile, ctx: RuleContext) -> None:
    for stage in df.stages:
        for ins in stage.instructions:
            if ins.keyword in ("ENV", "ARG"):
                for name, value in variables(ins.keyword, ins.args):
                    # An image default is what runs when nobody overrides it: `changeme` is
                    # a known secret there, only template slots are placeholders.
                    if is_secret_name(name, value) and is_real_secret_value(
                            value, df.path, strict=True):
                        ctx.report(df.path, ins.line, ins.column,
                                   f"{ins.keyword} {name} bakes a secret into the image "
                                   "layers, readable by anyone who can pull it; pass it at "
                                   "run time or use a BuildKit secret mount",
                                   snippet=f"{ins.keyword} {name}=<redacted>")
                    else:
                        ctx.examine()
            elif ins.keyword in ("COPY", "ADD") and "from" not in ins.flags:
                for source in _sources(ins):
                    name = source.rstrip("/").rsplit("/", 1)[-1]
                    if any(fnmatch.fnmatch(name, p) for p in SECRET_FILES) and not any(
                            fnmatch.fnmatch(name, p) for p in NOT_SECRET_FILES):
                        ctx.report(df.path, ins.line, ins.column,
                                   f"{ins.keyword} copies {source!r} into the image: the "
                                   "credential ships in every layer; mount it at run time",
                                   snippet=ins.raw.partition("\n")[0])
                    else:
                        ctx.examine()


def _sources(ins: Instruction) -> list[str]:
    if ins.exec_form is not None:
        return ins.exec_form[:-1]
    words = [w for w in ins.args.split() if not w.startswith("--")]
    return words[:-1]
