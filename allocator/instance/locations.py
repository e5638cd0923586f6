"""Where the loader found each setting and row, so that problems point at the right place."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Locations:
    """Where the loader found things.

    ``setting_rows`` / ``category_rows`` give the line (TOML) or sheet row
    (workbook) of each key; ``table_rows`` the spreadsheet row of each frame
    row (blank rows dropped by the loader keep their numbers counted);
    ``reported`` names tables (and ``"instance"``, ``"categories"``) whose absence or
    unreadability the loader has already reported.
    """

    setting_rows: dict[str, int] = field(default_factory=dict)
    category_rows: dict[str, int] = field(default_factory=dict)
    table_rows: dict[str, np.ndarray] = field(default_factory=dict)
    reported: set[str] = field(default_factory=set)
