from __future__ import annotations

from cardkit.cli import entry_point

raise SystemExit(entry_point())
