"""Requirements a README's install commands state: `pip install torch 'transformers>=4.56.0'`.

A shell block made only of `pip install` lines is a list of requirements, not a usage snippet:
before the first Python snippet it is what every snippet needs (`usage.requirements`); after one, it
is what the next snippet needs too (`This example also needs: pip install flash-attn`). Only package
specifiers are taken: options, requirement files, paths and URLs are not packages.
"""

from __future__ import annotations

import re
import shlex

from cardkit.readme.document import CodeBlock

SPECIFIER = re.compile(
    r"^[A-Za-z0-9][A-Za-z0-9._-]{0,100}(?:\[[\w,-]{1,100}\])?(?:(?:[<>=!~]=?|===)[\w.*+!]{1,50})*$"
)
"""`torch`, `transformers>=4.30.2`, `accelerate[torch]`, `torch>=2.0,<3` is not taken (one bound)."""
OPTION_WITH_VALUE = {"-r", "--requirement", "-f", "--find-links", "-e", "--editable", "-i", "--index-url",
                     "--extra-index-url", "-c", "--constraint", "-t", "--target"}  # fmt: skip


def pip_requirements(block: CodeBlock) -> list[str] | None:
    """The packages of a block whose every command is `pip install ...`; None for any other block
    (a `cd x && pip install .`, a comment-only block, a requirements file, an unreadable quote)."""
    if block.language != "bash" or block.flattened:
        return None
    packages: list[str] = []
    commands = [line.strip() for line in block.lines if line.strip() and not line.strip().startswith("#")]
    for command in commands:
        try:
            words = shlex.split(command)
        except ValueError:
            return None
        if words[:2] not in (["pip", "install"], ["pip3", "install"]):
            return None
        skip = False
        for word in words[2:]:
            if skip:
                skip = False
            elif word in OPTION_WITH_VALUE:
                return None  # -r requirements.txt, -e .: the packages are elsewhere
            elif word.startswith("-"):
                skip = False  # a flag such as -U or --upgrade
            elif SPECIFIER.match(word):
                packages.append(word)
            else:
                return None
    return packages or None
