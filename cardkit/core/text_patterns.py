"""Patterns that both the card rules (`cardkit.validate.card_rules`) and lint (`cardkit.lint`) look for.

One list, so that a mirror host learnt from one scraped card is caught in cards and READMEs alike.
"""

from __future__ import annotations

import re

MIRROR_HOSTS = {"chatgptweb.us.kg": "huggingface.co", "hf-mirror.com": "huggingface.co"}
"""Scrapers and proxies rewrite Hub links to themselves; a card must point at the canonical host."""

URL_HOST = re.compile(r"https?://([A-Za-z0-9.-]+)")
TRUST_REMOTE = re.compile(r"trust_remote_code\s*=\s*True")
