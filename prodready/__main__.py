"""`python -m prodready`, and the `prodready` command (pyproject.toml's [project.scripts])."""

import gc
import sys

from .safepath import drop_untrusted_paths


def main() -> None:
    # before any library loads: `-m` put the current directory on sys.path
    drop_untrusted_paths(".")
    # A scan run again exactly as before is answered here, before any library loads.
    from .replay import try_replay

    replayable = try_replay(sys.argv[1:])
    # Loading the libraries allocates hundreds of thousands of objects that live until exit: the
    # cycle collector would only walk them, again and again, while they load.
    gc.disable()
    from .cli import run

    gc.enable()
    run(replayable)


if __name__ == "__main__":
    main()
