"""Write a stand-in at the mirror location of every registered outcomes document.

    python -m tests.standins DIR      # then: make refresh MIRROR=DIR

The files are generated, carry the figures CATALOG.md quotes, and say STAND-IN in their text; they are
for exercising the pipeline end to end where no real copy is available offline.
"""

import sys
from pathlib import Path

from tests.standins import bjs, icac, ussc


def write_all(root: Path) -> list[Path]:
    return [*icac.write_mirror(root), *ussc.write_mirror(root), *bjs.write_mirror(root)]


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    for path in write_all(Path(sys.argv[1])):
        print(path)
