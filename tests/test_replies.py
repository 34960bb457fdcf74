"""Replies to the reminder emails, as real RFC-822 messages through Odoo's mail gateway (message_process): a
customer's reply pauses its reminders and asks the person in charge to handle it; an automatic reply (out of
office) pauses nothing; handling the reply resumes the reminders."""

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .common import D, LadderCommon

DAY = D("2026-03-16")  # Reminder 1 of invoices due on 9 March


@tagged("post_install", "-at_install")
class TestCustomerReplies(LadderCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = cls._user("relance_replies", "account.group_account_invoice")
        cls.accountant.lang = "fr_FR"
        # incoming mail set up: the company's alias domain, whose catchall address answers come back to
        cls.env["mail.alias.domain"].create(
            {
                "name": "ateliers-dupont.fr",
                "catchall_alias": "catchall",
                "bounce_alias": "bounce",
                "company_ids": [Command.link(cls.company.id)],
            }
        )
        cls.company.relance_responsible_id = cls.accountant
        cls.martin = cls._invoice(cls.customer, "2026-03-09")
        cls.leroy = cls._invoice(cls.customer_2, "2026-03-09")

    def setUp(self):
        super().setUp()
        logs, _mails = self.run_ladder(DAY)
        self.reminder = logs.filtered(lambda log: log.partner_id == self.customer)
        self.assertEqual(len(self.reminder.mail_message_id), 1)

    def reply(
        self, on, headers="", sender="Jean Martin <compta@boulangerie-martin.fr>", msg_id="<r1@boulangerie-martin.fr>"
    ):
        """The customer's email answering the reminder, received on date on."""
        reference = self.reminder.mail_message_id.message_id
        raw = (
            f"From: {sender}\r\n"
            f"To: {self.reminder.mail_message_id.reply_to}\r\n"
            f"Subject: Re: {self.reminder.mail_message_id.subject}\r\n"
            f"Message-ID: {msg_id}\r\n"
            f"In-Reply-To: {reference}\r\n"
            f"References: {reference}\r\n"
            "Date: Sat, 28 Mar 2026 09:12:00 +0100\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: 8bit\r\n"
            f"{headers}"
            "\r\n"
            "Bonjour,\r\nNous avons réglé cette facture par virement le 20 mars.\r\nCordialement,\r\nJean Martin\r\n"
        ).encode()
        with freeze_time(on):
            self.env["mail.thread"].sudo().message_process(None, raw)

    def reply_activities(self):
        return self.reminder.activity_ids.filtered(
            lambda act: act.activity_type_id == self.env.ref("odoo_relance_fr.mail_activity_type_relance_answer")
        )

    def test_replies_reach_odoo(self):
        """The email's Reply-To is Odoo's catchall address of the company's alias domain: answers come back."""
        self.assertEqual(self.reminder.mail_mail_id.reply_to, '"Ateliers Dupont SAS" <catchall@ateliers-dupont.fr>')

    def test_reply_pauses_the_customer_and_asks_the_responsible(self):
        self.reply("2026-03-28")
        self.assertIn("réglé cette facture par virement", self.reminder.message_ids[0].body)
        self.assertEqual(self.customer.relance_reply_date, D("2026-03-28"))
        activity = self.reply_activities()
        self.assertEqual((len(activity), activity.user_id), (1, self.accountant))
        self.assertEqual(activity.summary, "Réponse client à traiter")
        self.assertIn("reprendront au plus tard le 04/04/2026", activity.note)
        # Reminder 2 was due on 31 March: the reply holds it for 7 days, to 4 April; the other customer goes on
        self.assertEqual(self.martin.relance_next_date, D("2026-04-04"))
        logs, _mails = self.run_ladder("2026-03-31")
        self.assertEqual(logs.partner_id, self.customer_2)
        logs, mails = self.run_ladder("2026-04-04")
        self.assertEqual((logs.partner_id, logs.level_id), (self.customer, self.level_2))
        self.assertEqual(len(mails), 1)

    def test_reply_held_until_handled(self):
        self.company.relance_reply_pause_days = 0
        self.reply("2026-03-28")
        self.assertFalse(self.martin.relance_next_date)
        logs, _mails = self.run_ladder("2026-04-20")
        self.assertNotIn(self.customer, logs.partner_id)
        with freeze_time("2026-04-21"):
            self.customer.with_user(self.accountant).with_context(lang="fr_FR").action_relance_reply_handled()
        self.assertFalse(self.customer.relance_reply_date)
        self.assertFalse(self.reply_activities())
        self.assertIn("Réponse client traitée", self.customer.message_ids[0].body)
        logs, _mails = self.run_ladder("2026-04-21")
        self.assertEqual((logs.partner_id, logs.level_id), (self.customer, self.level_2))

    def test_marking_the_activity_done_handles_the_reply(self):
        self.company.relance_reply_pause_days = 0
        self.reply("2026-03-28")
        self.reply_activities().with_user(self.accountant).action_feedback(feedback="Virement reçu le 27/03.")
        self.assertFalse(self.customer.relance_reply_date)
        self.assertEqual(self.martin.relance_next_date, D("2026-03-31"))

    def test_second_reply_asks_once(self):
        self.reply("2026-03-28")
        self.reply("2026-03-29", msg_id="<r2@boulangerie-martin.fr>")
        self.assertEqual(len(self.reply_activities()), 1)
        self.assertEqual(self.customer.relance_reply_date, D("2026-03-28"))

    def test_out_of_office_pauses_nothing(self):
        for number, headers in enumerate(
            [
                "Auto-Submitted: auto-replied\r\n",
                "X-Autoreply: yes\r\n",
                "Precedence: auto_reply\r\n",
                "X-Auto-Response-Suppress: All\r\n",
            ]
        ):
            with self.subTest(headers=headers):
                self.reply("2026-03-28", headers=headers, msg_id=f"<oof{number}@boulangerie-martin.fr>")
                self.assertFalse(self.customer.relance_reply_date)
                self.assertFalse(self.reply_activities())
                self.assertEqual(self.martin.relance_next_date, D("2026-03-31"))

    def test_reply_of_our_own_staff_pauses_nothing(self):
        self.accountant.partner_id.email = "sophie@ateliers-dupont.fr"
        self.reply("2026-03-28", sender="Sophie <sophie@ateliers-dupont.fr>")
        self.assertFalse(self.customer.relance_reply_date)
        self.assertFalse(self.reply_activities())

    def test_wizard_shows_the_reply_to_handle(self):
        self.reply("2026-03-28")
        with freeze_time("2026-03-31"):
            wizard = (
                self.env["relance.wizard"]
                .with_user(self.accountant)
                .with_context(active_model="account.move", active_ids=self.martin.ids)
                .create({})
            )
            self.assertEqual(wizard.reply_count, 1)
            self.assertEqual(wizard.line_ids.reply_date, D("2026-03-28"))
            self.assertEqual(self.customer.with_user(self.accountant).relance_reply_date, D("2026-03-28"))
