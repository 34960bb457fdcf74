"""Integrity and access, probed as an attacker or a careless user would: JSON-RPC calls through Odoo's
own /web/dataset/call_kw route, logged in as a billing user, an accounting manager, a user of a second
company or a system administrator. Every refused call answers in French and changes nothing."""

import json

from freezegun import freeze_time

from odoo import Command
from odoo.tests import HttpCase, tagged

from odoo.addons.mail.tests.common import MockEmail

from .common import D, RelanceCommon


class RpcRefused(Exception):
    """A JSON-RPC call answered with an error: (exception class, message shown to the user)."""


class RpcCommon(RelanceCommon, HttpCase, MockEmail):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_company = cls._other_company()
        cls.billing = cls._user("integrity_billing", "account.group_account_invoice")
        cls.manager = cls._user("integrity_manager", "account.group_account_manager")
        cls.other = cls._user(
            "integrity_other", "account.group_account_invoice,base.group_partner_manager", cls.other_company
        )
        cls.admin_user = cls._user("integrity_admin", "account.group_account_manager,base.group_system")
        (cls.billing | cls.manager | cls.other | cls.admin_user).write({"lang": "fr_FR"})
        for partner in (cls.customer, cls.customer_2):
            partner.write({"street": "3 place du Marché", "zip": "69001", "city": "Lyon"})

    @classmethod
    def _store_pdf(cls, moves):
        """The invoices' PDFs stored, as after Odoo's "Send"."""
        cls.env["ir.attachment"].create(
            [
                {
                    "name": f"{move.name}.pdf",
                    "raw": b"%PDF-1.4 stored",
                    "res_model": "account.move",
                    "res_id": move.id,
                    "res_field": "invoice_pdf_report_file",
                    "mimetype": "application/pdf",
                }
                for move in moves
            ]
        )
        return moves

    def rpc(self, user, model, method, *args, **kwargs):
        """model.method(*args, **kwargs) called through Odoo's JSON-RPC route, logged in as user, with the
        user's context as the web client sends it."""
        self.authenticate(user.login, user.login)
        kwargs = dict(kwargs, context={"lang": user.lang, "allowed_company_ids": user.company_ids.ids})
        request = {"model": model, "method": method, "args": list(args), "kwargs": kwargs}
        response = self.url_open(
            "/web/dataset/call_kw",
            data=json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1, "params": request}),
            headers={"Content-Type": "application/json"},
        )
        response.raise_for_status()
        answer = response.json()
        if "error" in answer:
            raise RpcRefused(answer["error"]["data"]["name"], answer["error"]["data"]["message"])
        return answer["result"]

    def assertRefused(self, pattern, user, model, method, *args, **kwargs):
        """The call is refused with a French message matching pattern; nothing it wrote is kept."""
        with self.assertRaises(RpcRefused) as caught:
            self.rpc(user, model, method, *args, **kwargs)
        name, message = caught.exception.args
        self.assertRegex(message, pattern, name)
        self.env.invalidate_all()
        return message


@tagged("post_install", "-at_install")
class TestWizardChecksOnServer(RpcCommon):
    """The wizard's lines come from the browser: the server checks them before sending anything."""

    def wizard_with_line(self, user, partner, moves, **line):
        return self.rpc(
            user,
            "relance.wizard",
            "create",
            {
                "line_ids": [
                    Command.create(
                        dict(
                            {
                                "partner_id": partner.id,
                                "move_ids": [Command.set(moves.ids)],
                                "level_id": self.level_1.id,
                                "channel": "email",
                            },
                            **line,
                        )
                    )
                ]
            },
        )

    @freeze_time("2026-03-16")
    def test_invoice_of_another_customer_refused(self):
        own = self._store_pdf(self._invoice(self.customer, "2026-01-15"))
        stranger = self._store_pdf(self._invoice(self.customer_2, "2026-01-15"))
        wizard_id = self.wizard_with_line(self.billing, self.customer, own | stranger)
        with self.mock_mail_gateway():
            self.assertRefused(
                r"n'est pas une facture de Boulangerie Martin SARL",
                self.billing,
                "relance.wizard",
                "action_send",
                [wizard_id],
            )
            self.assertFalse(self._new_mails)
        self.assertFalse((own | stranger).relance_log_ids)
        self.assertFalse(own.relance_level_id | stranger.relance_level_id)

    @freeze_time("2026-03-16")
    def test_invoice_of_a_company_the_user_is_not_in_refused(self):
        theirs = self._other_company_invoice(self.other_company, self.customer, "2026-01-15")
        wizard_id = self.wizard_with_line(self.billing, self.customer, theirs)
        with self.mock_mail_gateway():
            self.assertRefused(r"société", self.billing, "relance.wizard", "action_send", [wizard_id])
            self.assertFalse(self._new_mails)
        self.assertFalse(self.env["relance.log"].sudo().search([("move_ids", "in", theirs.ids)]))

    @freeze_time("2026-03-16")
    def test_paid_invoice_refused(self):
        paid = self._invoice(self.customer, "2026-01-15")
        self._pay(paid, 1200.0, "2026-03-10")
        wizard_id = self.wizard_with_line(self.billing, self.customer, paid)
        with self.mock_mail_gateway():
            self.assertRefused(
                r"n'est pas une facture client encore à régler",
                self.billing,
                "relance.wizard",
                "action_send",
                [wizard_id],
            )
            self.assertFalse(self._new_mails)
        self.assertFalse(paid.relance_log_ids)

    @freeze_time("2026-03-16")
    def test_line_without_invoice_refused_without_a_failed_reminder(self):
        wizard_id = self.wizard_with_line(self.billing, self.customer, self.env["account.move"])
        self.assertRefused(r"n'a aucune facture", self.billing, "relance.wizard", "action_send", [wizard_id])
        self.assertFalse(self.env["relance.log"].search([("partner_id", "=", self.customer.id)]))

    @freeze_time("2026-03-16")
    def test_edited_body_is_sanitised_as_the_mail_composer_does(self):
        move = self._store_pdf(self._invoice(self.customer, "2026-01-15"))
        wizard_id = self.wizard_with_line(
            self.billing,
            self.customer,
            move,
            subject="Relance",
            body=(
                "<p>Suite à notre appel de ce matin.</p><script>alert('pris')</script>"
                "<img src='x' onerror=\"alert('pris')\"/><a href=\"javascript:alert('pris')\">votre facture</a>"
                "<form action='https://pirate.example'><input name='iban'/></form>"
            ),
        )
        with self.mock_mail_gateway():
            self.rpc(self.billing, "relance.wizard", "action_send", [wizard_id])
            body = self._new_mails.body_html
        self.assertIn("Suite à notre appel de ce matin.", body)
        for dangerous in ("<script", "alert(", "onerror", "javascript:", "<form", "<input"):
            self.assertNotIn(dangerous, body)


@tagged("post_install", "-at_install")
class TestHistoryIsARecord(RpcCommon):
    """A sent reminder is a record of what was sent: only its buttons change it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.move = cls._store_pdf(cls._invoice(cls.customer, "2026-01-15"))
        with freeze_time("2026-03-16"):
            cls.log = cls.env["relance.ladder"]._relance_remind_partner(cls.customer, D("2026-03-16"))
        other_move = cls._other_company_invoice(cls.other_company, cls.customer, "2026-01-15")
        cls.foreign_message = other_move.message_ids[:1]
        cls.foreign_attachment = cls.env["ir.attachment"].create(
            {
                "name": "Contrat confidentiel Filiale Sud.pdf",
                "raw": b"%PDF-1.4 secret",
                "res_model": "account.move",
                "res_id": other_move.id,
            }
        )

    def test_sent_reminder_fields_cannot_be_rewritten(self):
        self.assertEqual(self.log.state, "sent")
        before = self.log.read(
            [
                "date",
                "state",
                "level_id",
                "user_id",
                "move_levels",
                "mail_message_id",
                "letter_attachment_id",
                "partner_id",
                "channel",
            ]
        )[0]
        for vals in (
            {"date": "2026-01-01"},
            {"state": "cancelled"},
            {"level_id": self.level_3.id},
            {"user_id": self.manager.id},
            {"move_levels": {str(self.move.id): self.level_3.id}},
            {"mail_message_id": self.foreign_message.id},
            {"letter_attachment_id": self.foreign_attachment.id},
            {"partner_id": self.customer_2.id},
            {"channel": "letter"},
        ):
            with self.subTest(vals=vals):
                self.assertRefused(
                    r"historique des relances", self.billing, "relance.log", "write", [self.log.id], vals
                )
        self.assertEqual(self.log.read(list(before) + [])[0], before)

    def test_billing_user_records_registered_letter_and_note(self):
        self.rpc(
            self.billing,
            "relance.log",
            "write",
            [self.log.id],
            {"lrar_number": "1A 234 567 8901 2", "lrar_ack_date": "2026-03-20", "note": "Appelé le client."},
        )
        self.assertEqual(
            (self.log.lrar_number, self.log.lrar_ack_date, self.log.note),
            ("1A 234 567 8901 2", D("2026-03-20"), "Appelé le client."),
        )

    def test_no_reminder_made_up_as_sent(self):
        self.assertRefused(
            r"historique des relances",
            self.billing,
            "relance.log",
            "create",
            {
                "partner_id": self.customer.id,
                "level_id": self.level_3.id,
                "channel": "email",
                "state": "sent",
                "mail_message_id": self.foreign_message.id,
            },
        )
        self.assertFalse(self.env["relance.log"].search([("mail_message_id", "=", self.foreign_message.id)]))


@tagged("post_install", "-at_install")
class TestLettersOneByOne(RelanceCommon):
    """Letters are rendered by wkhtmltopdf fetching the report assets over HTTP: not from inside a request of
    the test server, which holds the test cursor, so called as the billing user directly."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.billing = cls._user("letters_billing", "account.group_account_invoice")
        for partner in (cls.customer, cls.customer_2):
            partner.write({"street": "3 place du Marché", "zip": "69001", "city": "Lyon"})

    def test_malformed_levels_of_one_letter_do_not_block_the_others(self):
        first = self._invoice(self.customer, "2026-01-15")
        second = self._invoice(self.customer_2, "2026-01-15")
        logs = self.env["relance.log"].create(
            [
                {
                    "date": "2026-03-16",
                    "partner_id": move.partner_id.id,
                    "move_ids": [Command.set(move.ids)],
                    "level_id": self.level_2.id,
                    "move_levels": {str(move.id): self.level_2.id},
                    "channel": "letter",
                    "state": "to_print",
                }
                for move in (first, second)
            ]
        )
        self.env.cr.execute("UPDATE relance_log SET move_levels = '[1, 2, \"x\"]'::jsonb WHERE id = %s", [logs[0].id])
        logs.invalidate_recordset()
        with freeze_time("2026-03-16"):
            action = logs.with_user(self.billing).action_relance_print_letters()
        self.assertIn("/web/content/", action["url"])
        self.assertEqual(logs.mapped("state"), ["printed", "printed"])


@tagged("post_install", "-at_install")
class TestLevelInUse(RpcCommon):
    def test_level_in_use_cannot_be_deleted_archive_keeps_history(self):
        move = self._invoice(self.customer, "2026-01-15")
        move.write({"relance_level_id": self.level_3.id, "relance_last_date": "2026-03-01"})
        log = self.env["relance.log"].create(
            {
                "partner_id": self.customer.id,
                "level_id": self.level_3.id,
                "channel": "email",
                "state": "done",
                "date": "2026-03-01",
                "move_ids": [Command.set(move.ids)],
            }
        )
        self.assertRefused(r"Archivez-le plutôt", self.manager, "relance.level", "unlink", self.level_3.ids)
        self.assertTrue(self.level_3.exists())
        self.assertEqual((log.level_id, move.relance_level_id), (self.level_3, self.level_3))
        self.rpc(self.manager, "relance.level", "write", self.level_3.ids, {"active": False})
        self.env.invalidate_all()
        self.assertEqual((log.level_id, move.relance_level_id), (self.level_3, self.level_3))
        self.assertEqual(move.relance_next_level_id, self.mise_en_demeure, "it does not fall back to Relance 1")

    def test_unused_level_can_be_deleted(self):
        extra = self.env["relance.level"].create(
            {"name": "Relance 4", "sequence": 45, "delay": 45, "gap": 5, "channel": "phone", "tone": "final"}
        )
        self.rpc(self.manager, "relance.level", "unlink", extra.ids)
        self.assertFalse(extra.exists())


@tagged("post_install", "-at_install")
class TestCrossCompany(RpcCommon):
    def test_invoice_cannot_take_another_companys_level(self):
        theirs = self.env["relance.level"].sudo().search([("company_id", "=", self.other_company.id)], limit=1)
        self.assertTrue(theirs, "a new company gets its own ladder")
        move = self._invoice(self.customer, "2026-01-15")
        self.assertRefused(
            r"[Ss]ociét", self.billing, "account.move", "write", move.ids, {"relance_level_id": theirs.id}
        )
        self.assertFalse(move.relance_level_id)

    @freeze_time("2026-03-16")
    def test_exclusion_of_a_shared_customer_is_per_company(self):
        ours = self._invoice(self.customer, "2026-01-15")
        self.rpc(self.other, "res.partner", "write", self.customer.ids, {"relance_excluded": True})
        self.env.invalidate_all()
        self.assertEqual(ours.relance_next_level_id, self.level_1, "their exclusion does not stop our reminders")
        self.assertFalse(self.customer.relance_excluded)
        self.assertTrue(self.customer.with_company(self.other_company).relance_excluded)
        self.rpc(self.other, "res.partner", "write", self.customer.ids, {"relance_excluded": False})
        self.env.invalidate_all()
        self.assertFalse(self.customer.with_company(self.other_company).relance_excluded)

    def test_rate_table_is_for_system_administrators(self):
        rate = self.env.ref("odoo_relance_fr.relance_rate_ecb_2026_1")
        self.assertRefused(r"autorisé", self.manager, "relance.rate", "write", rate.ids, {"rate": 9.0})
        self.assertRefused(
            r"autorisé", self.manager, "relance.rate", "create", {"kind": "ecb", "date_from": "2030-01-01", "rate": 9.0}
        )
        self.assertEqual(rate.rate, 2.15)
        self.rpc(self.admin_user, "relance.rate", "write", rate.ids, {"rate": 2.4})
        self.assertEqual(rate.rate, 2.4)


@tagged("post_install", "-at_install")
class TestBadInputAnswersInFrench(RpcCommon):
    def test_blank_level_name(self):
        for name in ("", "   "):
            with self.subTest(name=name):
                self.assertRefused(r"nom", self.manager, "relance.level", "write", self.level_2.ids, {"name": name})
        self.assertEqual(self.level_2.with_context(lang="fr_FR").name, "Relance 2 (ferme)")

    def test_rates_out_of_bounds(self):
        rate = self.env.ref("odoo_relance_fr.relance_rate_ecb_2026_1")
        for value in (150.0, 1000.0, 1e300):
            with self.subTest(value=value):
                self.assertRefused(r"[Tt]aux", self.admin_user, "relance.rate", "write", rate.ids, {"rate": value})
                self.assertRefused(
                    r"[Tt]aux",
                    self.admin_user,
                    "res.company",
                    "write",
                    self.company.ids,
                    {"relance_contract_rate": value},
                )
        self.assertEqual(rate.rate, 2.15)

    def test_integer_out_of_range(self):
        self.assertRefused(
            r"Valeur invalide", self.manager, "relance.level", "write", self.level_2.ids, {"delay": 10**12}
        )
        self.assertEqual(self.level_2.delay, 22)

    def test_dates_out_of_range(self):
        move = self._invoice(self.customer, "2026-01-15")
        for date in ("9999-12-31", "0001-01-01"):
            with self.subTest(date=date):
                self.assertRefused(
                    r"Valeur invalide", self.billing, "account.move", "write", move.ids, {"relance_promise_date": date}
                )
        self.assertFalse(move.relance_promise_date)

    def test_reminder_with_a_wrong_channel_or_date(self):
        for vals in ({"channel": "fax"}, {"date": "abc"}):
            with self.subTest(vals=vals):
                self.assertRefused(
                    r"Valeur invalide",
                    self.billing,
                    "relance.log",
                    "create",
                    dict({"partner_id": self.customer.id, "channel": "email"}, **vals),
                )
        self.assertFalse(self.env["relance.log"].search([("partner_id", "=", self.customer.id)]))

    def test_second_rate_for_a_semester(self):
        self.assertRefused(
            r"Un semestre n'a qu'un taux de chaque type",
            self.admin_user,
            "relance.rate",
            "create",
            {"kind": "ecb", "date_from": "2026-01-01", "rate": 3.0},
        )
