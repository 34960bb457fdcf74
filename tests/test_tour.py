from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import RelanceCommon


@tagged("post_install", "-at_install")
class TestRelanceTour(RelanceCommon, HttpCase):
    def test_edit_last_reminder_date_in_invoice_form(self):
        move = self._invoice(self.customer, "2026-01-15")
        move.write({"relance_level_id": self.level_1.id, "relance_last_date": "2026-01-22"})
        self.assertEqual(move.relance_next_date, fields.Date.to_date("2026-02-06"))
        self.env.ref("base.user_admin").lang = "fr_FR"
        self.start_tour(
            f"/odoo/action-account.action_move_out_invoice_type/{move.id}", "relance_edit_last_date", login="admin"
        )
        move.invalidate_recordset()
        self.assertEqual(move.relance_last_date, fields.Date.to_date("2026-03-01"))
        self.assertEqual(move.relance_next_date, fields.Date.to_date("2026-03-16"))
