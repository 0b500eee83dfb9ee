import gc

from .safepath import drop_untrusted_paths

drop_untrusted_paths(".")  # before any library loads: `-m` put the current directory on sys.path

# Loading the libraries allocates hundreds of thousands of objects that live until exit: the
# cycle collector would only walk them, again and again, while they load.
gc.disable()
from .cli import run  # noqa: E402

gc.enable()
run()
