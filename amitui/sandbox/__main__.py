"""``python -m amitui.sandbox``: the same as ``amitui sandbox``."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
