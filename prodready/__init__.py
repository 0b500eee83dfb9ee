"""prodready: a production-readiness auditor for Python services."""

import warnings

__version__ = "0.1.0"

# A scanned repository's .gitignore may hold patterns such as Next.js's `[[...path]].tsx`
# that make `re` warn about future syntax while pathspec compiles them: the user's file,
# not a fault to print on every scan.
warnings.filterwarnings("ignore", category=FutureWarning, module="pathspec")
