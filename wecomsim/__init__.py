"""WeCom simulator: a seeded company served over real HTTP like WeCom (`zhidu wecom-sim`).

Pure Python (no Django, no database). See docs/wecom.md for options and the /sim/ test API.
"""

from wecomsim.company import Company, build_company
from wecomsim.server import SimulatorServer

__all__ = ["Company", "SimulatorServer", "build_company"]
