"""Both catalogues are complete, and every message key used by a template exists."""

import re

from sanyi.web.i18n import LANGUAGES, Translator, catalogue
from sanyi.web.navigation import SECTIONS
from sanyi.web.templating import TEMPLATES_DIR

_KEY_IN_TEMPLATE = re.compile(r"""\bt\(\s*'([a-z_.]+[a-z_])'\s*[,)]""")


def test_catalogues_have_the_same_keys() -> None:
    zh, en = (set(catalogue(language)) for language in LANGUAGES)
    assert zh == en, f"only zh: {sorted(zh - en)}; only en: {sorted(en - zh)}"


def test_every_key_used_in_templates_and_navigation_exists() -> None:
    keys = set(catalogue("zh"))
    used = {
        key
        for template in TEMPLATES_DIR.rglob("*.html")
        for key in _KEY_IN_TEMPLATE.findall(template.read_text(encoding="utf-8"))
    }
    used |= {f"nav.{section.key}" for section in SECTIONS}
    used |= {f"section.{section.key}.summary" for section in SECTIONS}
    assert used - keys == set()


def test_translator_formats_and_falls_back() -> None:
    t = Translator("en")
    assert t("home.welcome", name="Li") == "Welcome, Li"
    assert Translator("fr").language == "zh"
    assert t("no.such.key") == "no.such.key"
    assert t.pick("中", "en") == "en"
