from .safepath import drop_untrusted_paths

drop_untrusted_paths(".")  # before any library loads: `-m` put the current directory on sys.path

from .cli import run  # noqa: E402

run()
