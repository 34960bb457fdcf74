from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import LadderCommon


@tagged("post_install", "-at_install")
class TestReminderWizard(LadderCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.no_email = cls.env["res.partner"].create({"name": "Menuiserie Sans Mail", "is_company": True})
        for partner in (cls.customer, cls.customer_2):
            partner.write({"street": "3 place du Marché", "zip": "69001", "city": "Lyon"})

    def open_wizard(self, moves=None):
        ctx = {"lang": "fr_FR"}
        if moves:
            ctx.update(active_model="account.move", active_ids=moves.ids)
        return Form(self.env["relance.wizard"].with_context(**ctx))

    def line_of(self, wizard, partner):
        return wizard.line_ids.filtered(lambda line: line.partner_id == partner)

    @freeze_time("2026-03-16")
    def test_morning_batch_skip_edit_and_isolated_failure(self):
        good = self._invoice(self.customer, "2026-01-15")
        skipped = self._invoice(self.customer_2, "2026-01-15")
        bad = self._invoice(self.no_email, "2026-01-15")
        form = self.open_wizard()
        self.assertEqual(len(form.line_ids), 3)
        wizard = form.save()
        self.assertEqual(
            (self.line_of(wizard, self.customer).level_id, self.line_of(wizard, self.customer).amount_due),
            (self.level_1, 1200.0),
        )
        self.assertFalse(self.line_of(wizard, self.no_email).recipient_id)
        # said before sending, and left out: no email address and no postal address
        self.assertTrue(self.line_of(wizard, self.no_email).skip)
        self.assertIn("n'a ni adresse e-mail ni adresse postale", self.line_of(wizard, self.no_email).issue)
        self.line_of(wizard, self.customer_2).skip = True
        line = self.line_of(wizard, self.customer)
        line.action_preview()
        self.assertIn("Sauf erreur ou omission de notre part", line.body)
        line.body = line.body.replace("Madame, Monsieur,", "Madame, Monsieur, suite à notre appel de ce matin,")
        line.email_cc = "direction@boulangerie-martin.fr"
        with self.mock_mail_gateway():
            wizard.action_send()
            mails = self._new_mails
        self.assertEqual(len(mails), 1)
        self.assertIn("suite à notre appel de ce matin", mails.body_html)
        self.assertEqual(mails.email_cc, "direction@boulangerie-martin.fr")
        self.assertEqual(
            {line.partner_id: line.result for line in wizard.line_ids},
            {self.customer: "sent", self.customer_2: "skipped", self.no_email: "skipped"},
        )
        self.assertFalse(bad.relance_log_ids, "no failed reminder left behind")
        self.assertEqual(
            (good.relance_level_id, skipped.relance_level_id, bad.relance_level_id),
            (self.level_1, self.env["relance.level"], self.env["relance.level"]),
        )

    @freeze_time("2026-03-16")
    def test_change_channel_to_letter_offers_one_pdf(self):
        first = self._invoice(self.customer, "2026-01-15")
        second = self._invoice(self.customer_2, "2026-01-15")
        wizard = self.open_wizard(first | second).save()
        wizard.line_ids.write({"channel": "letter"})
        with self.mock_mail_gateway():
            wizard.action_send()
            self.assertFalse(self._new_mails)
        self.assertEqual(wizard.line_ids.mapped("result"), ["to_print", "to_print"])
        self.assertTrue(wizard.letters_attachment_id.raw.startswith(b"%PDF"))
        self.assertEqual(
            wizard.action_download_letters()["url"], f"/web/content/{wizard.letters_attachment_id.id}?download=true"
        )
        self.assertEqual((first | second).relance_log_ids.mapped("state"), ["printed", "printed"])

    @freeze_time("2026-03-16")
    def test_remind_one_invoice_from_its_form_before_its_date(self):
        with freeze_time("2026-03-01"):
            move = self._invoice(self.customer, "2026-03-30")
        self.assertEqual(move.relance_next_level_id, self.pre_due)
        wizard = self.open_wizard(move).save()
        self.assertEqual((len(wizard.line_ids), wizard.line_ids.level_id), (1, self.pre_due))
        self.assertTrue(wizard.line_ids.skip)
        self.assertIn(
            "Le niveau «\u00a0Avis avant échéance\u00a0» ne sera applicable à ces factures que le 23/03/2026\u00a0: "
            "cochez «\u00a0Forcer\u00a0» pour l'envoyer dès aujourd'hui.",
            wizard.line_ids.issue,
        )
        wizard.line_ids.write({"force_level": True, "skip": False})  # the accountant sends it anyway
        self.assertFalse(wizard.line_ids.issue)
        with self.mock_mail_gateway():
            wizard.action_send()
            self.assertEqual(len(self._new_mails), 1)
        self.assertEqual(move.relance_level_id, self.pre_due)

    @freeze_time("2026-03-16")
    def test_only_due_levels_offered_and_reasons_said_before_sending(self):
        """Claire Petit got Relance 2 this morning: the wizard does not propose Relance 3, says why, and a
        forced send is refused with the exact reason, leaving no empty failed reminder."""
        self.private_person.write({"street": "8 rue des Lilas", "city": "Lyon"})
        reminded = self._invoice(self.private_person, "2026-01-23")
        self.remind(reminded, self.level_2, "2026-03-16")
        due = self._invoice(self.customer, "2026-01-15")
        wizard = self.open_wizard(reminded | due).save()
        claire, martin = self.line_of(wizard, self.private_person), self.line_of(wizard, self.customer)
        self.assertTrue(claire.skip)
        self.assertEqual(claire.due_level_ids, self.env["relance.level"])
        self.assertIn(
            f"{reminded.name} a déjà été relancée le 16/03/2026 (Relance 2 (ferme))\u00a0: "
            "une relance par jour au plus.",
            claire.issue,
        )
        self.assertEqual(
            (martin.level_id, martin.due_level_ids, martin.skip, martin.issue),
            (self.level_1, self.level_1, False, False),
        )
        # a level not due: said, until forced
        martin.level_id = self.level_3
        self.assertIn(
            "Le niveau «\u00a0Relance 3 (dernière)\u00a0» n'est pas encore applicable à ces factures (prochain\u00a0: "
            "«\u00a0Relance 1 (courtoise)\u00a0» le 22/01/2026)",
            martin.issue,
        )
        claire.write({"skip": False, "force_level": True})
        with self.mock_mail_gateway(), self.assertRaisesMessage(UserError, "Rien n'a été envoyé") as caught:
            wizard.action_send()
        self.assertFalse(self._new_mails)
        message = str(caught.exception)
        self.assertIn(f"Mme Claire Petit\u00a0: {reminded.name} a déjà été relancée le 16/03/2026", message)
        self.assertIn(
            "Boulangerie Martin SARL\u00a0: Le niveau «\u00a0Relance 3 (dernière)\u00a0» n'est pas encore applicable",
            message,
        )
        self.assertFalse((reminded | due).relance_log_ids)
        claire.skip = True
        martin.force_level = True
        self.assertFalse(martin.issue)
        with self.mock_mail_gateway():
            wizard.action_send()
            self.assertEqual(self._new_mails.recipient_ids, self.customer)
        self.assertEqual((martin.result, due.relance_level_id), ("sent", self.level_3))
        self.assertFalse(reminded.relance_log_ids.filtered(lambda log: log.state == "failed"))

    @freeze_time("2026-03-16")
    def test_paid_meanwhile_is_said_on_the_line_without_a_failed_reminder(self):
        move = self._invoice(self.customer, "2026-01-15")
        wizard = self.open_wizard(move).save()
        self._pay(move, 1200.0, "2026-03-16")
        self.assertIn("n'est pas une facture client restant à payer", wizard.line_ids.issue)

    @freeze_time("2026-03-16")
    def test_phone_line_creates_call_with_script(self):
        move = self._invoice(self.customer, "2026-01-15")
        wizard = self.open_wizard(move).save()
        wizard.line_ids.channel = "phone"
        wizard.action_send()
        self.assertEqual(wizard.line_ids.result, "to_call")
        activity = move.relance_log_ids.activity_ids
        self.assertEqual(activity.summary, "Appel de relance")
        for text in ("Script d'appel", move.name, "1&nbsp;200,00&nbsp;€", "échéancier"):
            self.assertIn(text, str(activity.note))

    def test_invoices_of_another_company_refused(self):
        other = self.env["res.company"].create({"name": "Filiale Sud SARL"})
        move = self._invoice(self.customer, "2026-01-15")
        user = self._user("relance_wizard_user", "account.group_account_invoice", other)
        with self.assertRaisesMessage(UserError, "société"):
            Form(
                self.env["relance.wizard"]
                .with_user(user)
                .with_context(active_model="account.move", active_ids=move.ids, lang="fr_FR")
            )

    @freeze_time("2026-03-16")
    def test_statements_from_the_wizard(self):
        first = self._invoice(self.customer, "2026-01-15")
        second = self._invoice(self.customer_2, "2026-01-15")
        wizard = self.open_wizard(first | second).save()
        self.line_of(wizard, self.customer_2).skip = True
        with self.mock_mail_gateway():
            wizard.action_send_statements()
            self.assertEqual(len(self._new_mails), 1)
            self.assertIn("relevé de compte", self._new_mails.subject)
            self.assertEqual(self._new_mails.recipient_ids, self.customer)
        action = wizard.action_print_statements()
        self.assertEqual(
            (action["report_name"], action["context"]["active_ids"]),
            ("odoo_relance_fr.report_relance_statement", self.customer.ids),
        )
        wizard.line_ids.skip = True
        with self.assertRaisesMessage(UserError, "aucun relevé à envoyer"):
            wizard.action_send_statements()
