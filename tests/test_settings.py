from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common import RelanceCommon


@tagged("post_install", "-at_install")
class TestRelanceSettings(RelanceCommon):
    def test_settings_round_trip(self):
        with Form(self.env["res.config.settings"]) as settings:
            self.assertEqual(len(settings.relance_level_ids), 6)
            with settings.relance_level_ids.edit(3) as line:
                self.assertEqual((line.delay, line.gap), (22, 15))
                line.delay = 25
                line.gap = 12
            settings.relance_min_amount = 10.0
        settings.save()
        settings.record.execute()
        self.assertEqual((self.level_2.delay, self.level_2.gap), (25, 12))
        self.assertEqual(self.company.relance_min_amount, 10.0)
        reopened = Form(self.env["res.config.settings"])
        self.assertEqual(reopened.relance_min_amount, 10.0)
        with reopened.relance_level_ids.edit(3) as line:
            self.assertEqual((line.delay, line.gap), (25, 12))

    def test_settings_bad_gap_changes_nothing(self):
        with (
            self.assertRaises(ValidationError),
            Form(self.env["res.config.settings"].with_context(lang="fr_FR")) as settings,
        ):
            settings.relance_min_amount = 10.0
            with settings.relance_level_ids.edit(2) as line:
                line.gap = -1
        self.level_1.invalidate_recordset()
        self.company.invalidate_recordset()
        self.assertEqual((self.level_1.gap, self.company.relance_min_amount), (7, 5.0))

    def test_settings_link_opens_levels(self):
        action = self.env["res.config.settings"].create({}).action_relance_open_levels()
        self.assertEqual(action["res_model"], "relance.level")
