import io
from pathlib import Path

import polib

from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import trans_export

I18N = Path(__file__).resolve().parent.parent / "odoo_relance_fr" / "i18n"


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):
    def test_pot_matches_the_code(self):
        buffer = io.BytesIO()
        trans_export(False, ["odoo_relance_fr"], buffer, "po", self.env.cr)
        exported = {entry.msgid for entry in polib.pofile(buffer.getvalue().decode())}
        shipped = {entry.msgid for entry in polib.pofile(str(I18N / "odoo_relance_fr.pot"))}
        self.assertEqual(exported - shipped, set(), "strings missing from the .pot: regenerate it")
        self.assertEqual(shipped - exported, set(), "obsolete strings in the .pot: regenerate it")

    def test_french_translation_complete(self):
        pot = {entry.msgid for entry in polib.pofile(str(I18N / "odoo_relance_fr.pot"))}
        french = {entry.msgid: entry for entry in polib.pofile(str(I18N / "fr.po"))}
        self.assertEqual(pot - set(french), set(), "strings missing from fr.po")
        untranslated = sorted(msgid for msgid in pot if not french[msgid].msgstr or "fuzzy" in french[msgid].flags)
        self.assertEqual(untranslated, [], "untranslated strings in fr.po")
