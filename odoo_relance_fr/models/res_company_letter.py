import base64
import logging

from odoo import api, models
from odoo.tools.image import image_data_uri
from odoo.tools.misc import format_date

_logger = logging.getLogger(__name__)


class ResCompany(models.Model):
    """What the letters and statements print of the company: its head, its legal mentions, the payment QR
    code, dates and lists in the customer's language."""

    _inherit = "res.company"

    def _relance_letter_values(self, lang, date):
        """Sender-side pieces of every letter: place and date, signatory, logo, legal mentions."""
        self.ensure_one()
        env = self.with_context(lang=lang).env
        signatory = self.relance_signatory_id or (
            self.relance_sender_user_id if self.relance_sender == "user" else self.env["res.users"]
        )
        return {
            "place_date": env._("%(city)s, %(date)s", city=self.city, date=self._relance_long_date(date, lang))
            if self.city
            else self._relance_long_date(date, lang, start=True),
            "signatory": signatory.name or self.name,
            "function": (signatory and self.with_context(lang=lang).relance_signatory_function)
            or env._("Accounting department"),
            "logo": self.logo if self.logo != self._get_logo() else False,
            "legal": self.with_env(env)._relance_legal_mentions(),
        }

    @api.model
    def _relance_long_date(self, date, lang, start=False):
        """« 1er décembre 2026 » in French (« Le 1er décembre 2026 » opening a line), « 1 December 2026 »."""
        text = format_date(self.env, date, lang_code=lang, date_format="d MMMM y")
        if lang.startswith("fr"):
            if date.day == 1:
                text = "1er" + text[1:]
            if start:
                text = f"Le {text}"
        return text

    @api.model
    def _relance_join(self, items, env):
        """'a, b and c' in the reader's language."""
        if len(items) < 2:
            return "".join(items)
        return env._("%(items)s and %(last)s", items=", ".join(items[:-1]), last=items[-1])

    def _relance_qr_code(self, amount, currency, communication, debtor, bank=None):
        """SEPA transfer QR code (EPC) for amount, when the company's bank account allows it.

        Odoo's own EPC payload and checks; drawn large and with its quiet zone (the invoice's small
        borderless image does not scan once printed with a long remittance text)."""
        self.ensure_one()
        bank = bank or self.partner_id.bank_ids[:1]
        if not bank or len(currency) != 1 or currency.compare_amounts(amount, 0) <= 0:
            return False
        try:
            vals = bank._build_qr_code_vals(
                currency.round(amount), communication[:140], None, currency, debtor, qr_method="sct_qr"
            )
            params = vals and bank._get_qr_code_generation_params(**vals)
            if not params:
                return False
            params.update(width=480, height=480, humanreadable=0, quiet=0, barLevel="M")
            return image_data_uri(base64.b64encode(self.env["ir.actions.report"].barcode(**params)))
        except Exception:
            _logger.warning("SEPA QR code for %s could not be drawn", debtor.display_name, exc_info=True)
            return False

    def _relance_legal_mentions(self):
        """The company's legal mentions, as French law wants them on business letters."""
        self.ensure_one()
        mentions = [self.name]
        if self.relance_share_capital:
            mentions.append(self.env._("share capital %(capital)s", capital=self.relance_share_capital))
        mentions.append(
            ", ".join(filter(None, [self.street, self.street2, f"{self.zip or ''} {self.city or ''}".strip()]))
        )
        return " - ".join(filter(None, mentions + self._relance_identity_mentions(siret=True)))

    def _relance_identity_mentions(self, siret=False):
        """SIREN (and SIRET), trade register and VAT numbers of the company, as printed."""
        self.ensure_one()
        number = self.partner_id.siret if "siret" in self.partner_id._fields else False
        mentions = []
        if number:
            mentions.append(f"SIREN {number[:3]} {number[3:6]} {number[6:9]}")
            if siret:
                mentions.append(f"SIRET {number[:3]} {number[3:6]} {number[6:9]} {number[9:]}")
        if self.company_registry:
            mentions.append(self.company_registry)
        if self.vat:
            mentions.append(self.env._("VAT number %(vat)s", vat=self.vat))
        return mentions
