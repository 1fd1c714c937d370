"""Keep the gettext catalogs in step with the templates, with Babel.

`python -m cardkit.render.catalogs` extracts every message the templates use into
locales/cardkit.pot and merges it into each locale's cardkit.po (new labels arrive untranslated and
a test fails until someone translates them). Tests use `template_messages` to check the same thing.
"""

from __future__ import annotations

from io import BytesIO

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from cardkit.core.atomic import write_text_atomic
from cardkit.render.engine import TEMPLATES_DIR
from cardkit.render.i18n import DOMAIN, LOCALES, LOCALES_DIR, catalog_path

POT_PATH = LOCALES_DIR / f"{DOMAIN}.pot"
_METHODS = [("**.j2", "jinja2")]
_OPTIONS = {"**.j2": {"extensions": "jinja2.ext.do", "trim_blocks": "true", "lstrip_blocks": "true"}}


def template_messages() -> Catalog:
    """Every msgid in the templates, with where it is used, as Babel extracts it."""
    catalog = Catalog(domain=DOMAIN, project="cardkit", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        TEMPLATES_DIR, _METHODS, _OPTIONS, strip_comment_tags=True
    ):
        catalog.add(
            message, None, [(f"templates/{filename}", lineno)], auto_comments=comments, context=context
        )
    return catalog


def _po_text(catalog: Catalog) -> str:
    buffer = BytesIO()
    write_po(buffer, catalog, width=100, omit_header=False, sort_output=True)
    return buffer.getvalue().decode("utf-8")


def update_catalogs() -> list[str]:
    """Rewrite the .pot and merge it into every hand-written catalog; returns the files written."""
    template = template_messages()
    write_text_atomic(POT_PATH, _po_text(template))
    written = [str(POT_PATH)]
    for name in sorted({spec.catalog for spec in LOCALES.values()}):
        path = catalog_path(name)
        if path.exists():
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=name, domain=DOMAIN)
        else:
            catalog = Catalog(locale=name, domain=DOMAIN, project="cardkit")
        catalog.update(template, no_fuzzy_matching=True)
        catalog.fuzzy = False  # the header: a fuzzy header reads as a draft to gettext tools
        write_text_atomic(path, _po_text(catalog))
        written.append(str(path))
    return written


if __name__ == "__main__":
    for written_path in update_catalogs():
        print(written_path)
