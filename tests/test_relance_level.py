from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common import RelanceCommon


@tagged("post_install", "-at_install")
class TestRelanceLevel(RelanceCommon):
    def test_default_ladder(self):
        ladder = self.env["relance.level"]._relance_ladder(self.company)
        self.assertEqual(
            [(lvl.delay, lvl.gap, lvl.channel, lvl.automatic) for lvl in ladder],
            [
                (-7, 0, "email", True),
                (-3, 0, "phone", True),
                (7, 7, "email", True),
                (22, 15, "email", True),
                (37, 15, "email_letter", True),
                (52, 15, "email_letter", False),
            ],
        )
        courtesy = self.env.ref("odoo_relance_fr.relance_level_courtesy_call")
        self.assertEqual(
            ladder, self.pre_due | courtesy | self.level_1 | self.level_2 | self.level_3 | self.mise_en_demeure
        )

    def test_default_ladder_names_in_french(self):
        names = self.env["relance.level"].with_context(lang="fr_FR")._relance_ladder(self.company).mapped("name")
        self.assertEqual(
            names,
            [
                "Avis avant échéance",
                "Appel de courtoisie",
                "Relance 1 (courtoise)",
                "Relance 2 (ferme)",
                "Relance 3 (dernière)",
                "Mise en demeure",
            ],
        )

    def test_negative_gap_refused(self):
        with self.assertRaisesMessage(ValidationError, "ne peut pas être négatif"):
            self.level_2.with_context(lang="fr_FR").write({"gap": -3})
        self.level_2.invalidate_recordset()
        self.assertEqual(self.level_2.gap, 15)

    def test_duplicate_sequence_refused(self):
        with self.assertRaisesMessage(ValidationError, "ont la même séquence"):
            self.level_3.with_context(lang="fr_FR").write({"sequence": self.level_2.sequence})
        self.level_3.invalidate_recordset()
        self.assertEqual(self.level_3.sequence, 40)

    def test_delay_smaller_than_previous_refused(self):
        with self.assertRaisesMessage(ValidationError, "est inférieur à celui du niveau précédent"):
            self.level_3.with_context(lang="fr_FR").write({"delay": 10})
        self.level_3.invalidate_recordset()
        self.assertEqual(self.level_3.delay, 37)

    def test_new_level_out_of_order_refused(self):
        count = self.env["relance.level"].search_count([])
        with self.assertRaises(ValidationError):
            self.env["relance.level"].create({"name": "Relance 4", "sequence": 45, "delay": 30, "gap": 10})
        self.assertEqual(self.env["relance.level"].search_count([]), count)

    def test_new_company_gets_its_own_ladder(self):
        other = self.env["res.company"].create({"name": "Filiale Sud SARL"})
        ladder = self.env["relance.level"].sudo()._relance_ladder(other)
        self.assertEqual(ladder.mapped("delay"), [-7, -3, 7, 22, 37, 52])
        self.assertEqual(ladder.mapped("selected_only"), [False, True, False, False, False, False])
        self.assertEqual(ladder.company_id, other)
        self.assertFalse(ladder & self.env["relance.level"]._relance_ladder(self.company))

    def test_level_form_creates_valid_level(self):
        with Form(self.env["relance.level"]) as form:
            form.name = "Appel après mise en demeure"
            form.sequence = 60
            form.delay = 60
            form.gap = 8
            form.channel = "phone"
        level = form.record
        self.assertEqual((level.company_id, level.automatic), (self.company, True))
        self.assertEqual(self.env["relance.level"]._relance_ladder(self.company)[-1], level)
