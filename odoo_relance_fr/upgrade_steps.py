"""What a database made by an older release needs to work with this one (called by migrations/)."""

import re

from psycopg2.extras import Json

from odoo.tools import SQL

# 18.0.1.4.0: the mail templates ask their reminder for one Document instead of public methods, in every
# language of their translated fields (an update rewrites only the English text; an accountant may have
# edited the French one, which is kept as it is, with only these names changed)
INLINE_CALLS = {
    "object.relance_subject()": "object._relance_email_subject()",
    "object.relance_email_from()": "object._relance_email_from()",
    "object.relance_statement_summary()": "object._relance_statement_summary()",
    "object.relance_bank()": "object._relance_bank()",
    "object.relance_sender()": "object._relance_sender()",
}
BODY_CALLS = {
    "object.relance_first()": "doc['first']",
    "object.relance_lines()": "doc['lines']",
    "object.relance_totals()": "doc['totals']",
    "object.relance_sections()": "doc['stages']",
    "object.relance_deadline()": "doc['deadline']",
    "object.relance_history_count()": "doc['history_count']",
    "object.relance_letter_copy()": "doc['letter_copy']",
    "object.relance_statement_summary()": "doc['summary']",
}
HTML_PART = re.compile(r"""object\.relance_html\((['"])(\w+)\1\)""")
DOC_SET = '<t t-set="doc" t-value="object._relance_document()"/>'
TRANSLATED = ("subject", "body_html")
PLAIN = ("email_from", "email_cc", "reply_to", "partner_to", "lang")


def rewrite_inline(text):
    for old, new in INLINE_CALLS.items():
        text = text.replace(old, new)
    return text


def rewrite_body(html):
    """A template body of an older release, calling the reminder's public methods, as this release renders
    it: the pieces come from one Document, set once at the top."""
    new = HTML_PART.sub(r"doc['\2']", html)
    for old, piece in BODY_CALLS.items():
        new = new.replace(old, piece)
    new = rewrite_inline(new)
    if new != html and DOC_SET not in new:
        opening = re.match(r"\s*<div[^>]*>\n?", new)
        at = opening.end() if opening else 0
        new = new[:at] + ("    " if opening else "") + DOC_SET + ("\n" if opening else "") + new[at:]
    return new


def rename_template_calls(cr):
    """Rewrite every mail template of reminders (ours and those made from them) in every language."""
    cr.execute(
        SQL(
            "SELECT id, %s FROM mail_template WHERE model_id IN (SELECT id FROM ir_model WHERE model = 'relance.log')",
            SQL(", ").join(SQL.identifier(fname) for fname in TRANSLATED + PLAIN),
        )
    )
    for row in cr.dictfetchall():
        values = {}
        for fname in TRANSLATED:
            old = row[fname] or {}
            rewrite = rewrite_body if fname == "body_html" else rewrite_inline
            new = {lang: rewrite(text) if isinstance(text, str) else text for lang, text in old.items()}
            if new != old:
                values[fname] = Json(new)
        for fname in PLAIN:
            if row[fname] and rewrite_inline(row[fname]) != row[fname]:
                values[fname] = rewrite_inline(row[fname])
        if values:
            cr.execute(
                SQL(
                    "UPDATE mail_template SET %s WHERE id = %s",
                    SQL(", ").join(SQL("%s = %s", SQL.identifier(fname), value) for fname, value in values.items()),
                    row["id"],
                )
            )
