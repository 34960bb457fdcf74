"""Regenerate odoo_relance_fr.pot from DATABASE and merge it into fr.po (new strings left empty).

Usage: python scripts/i18n_sync.py DATABASE
Then translate every empty msgstr of fr.po; tests/test_i18n.py fails until both are complete.
"""

import io
import sys
from pathlib import Path

import polib
from odoo_env import open_env

from odoo.tools.translate import trans_export

ROOT = Path(__file__).resolve().parent.parent
I18N = ROOT / "odoo_relance_fr" / "i18n"


def main(db_name):
    with open_env(db_name) as env:
        buffer = io.BytesIO()
        trans_export(False, ["odoo_relance_fr"], buffer, "po", env.cr)
    (I18N / "odoo_relance_fr.pot").write_bytes(buffer.getvalue())
    pot = polib.pofile(buffer.getvalue().decode())
    po_path = I18N / "fr.po"
    old = {e.msgid: e.msgstr for e in polib.pofile(str(po_path))} if po_path.exists() else {}
    po = polib.POFile()
    po.metadata = dict(pot.metadata, Language="fr", **{"Plural-Forms": "nplurals=2; plural=(n > 1);"})
    for entry in pot:
        entry.msgstr = old.get(entry.msgid, "")
        po.append(entry)
    po.save(str(po_path))
    missing = [e.msgid for e in po if not e.msgstr]
    print(f"{len(po)} strings, {len(missing)} to translate")
    for msgid in missing:
        print("  -", msgid.replace("\n", " ")[:100])


if __name__ == "__main__":
    main(sys.argv[1])
