import threading

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import D, LadderCommon


@tagged("post_install", "-at_install")
class TestLadderSteps(LadderCommon):
    def test_pre_due_notice_on_its_day_not_before(self):
        with freeze_time("2026-03-10"):
            move = self._invoice(self.customer, "2026-03-23")
        logs, mails = self.run_ladder("2026-03-15")
        self.assertFalse(logs)
        self.assertFalse(mails)
        logs, mails = self.run_ladder("2026-03-16")
        self.assertEqual((logs.level_id, logs.state, logs.move_ids), (self.pre_due, "sent", move))
        self.assertEqual(len(mails), 1)
        self.assertEqual(mails.subject, f"Ateliers Dupont SAS – Échéance prochaine – facture {move.name}")
        self.assertEqual((move.relance_level_id, move.relance_last_date), (self.pre_due, D("2026-03-16")))
        self.assertEqual((move.relance_next_level_id, move.relance_next_date), (self.level_1, D("2026-03-30")))

    def test_level_1_seven_days_after_due_date(self):
        move = self._invoice(self.customer, "2026-03-09")
        self.assertFalse(self.run_ladder("2026-03-15")[0])
        logs, mails = self.run_ladder("2026-03-16")
        self.assertEqual(logs.level_id, self.level_1)
        self.assertEqual(mails.subject, f"Ateliers Dupont SAS – 1re relance – facture {move.name} impayée")
        self.assertEqual(move.relance_level_id, self.level_1)

    def test_level_2_on_its_day(self):
        move = self._invoice(self.customer, "2026-02-22")
        self.remind(move, self.level_1, "2026-03-01")
        self.assertFalse(self.run_ladder("2026-03-15")[0])
        logs, _mails = self.run_ladder("2026-03-16")
        self.assertEqual((logs.level_id, move.relance_level_id), (self.level_2, self.level_2))

    def test_level_3_on_its_day_queues_letter(self):
        move = self._invoice(self.customer, "2026-02-07")
        self.remind(move, self.level_2, "2026-03-01")
        self.assertFalse(self.run_ladder("2026-03-15")[0])
        logs, mails = self.run_ladder("2026-03-16")
        self.assertEqual((logs.level_id, logs.state, len(mails)), (self.level_3, "to_print", 1))

    def test_formal_notice_waits_for_validation(self):
        move = self._invoice(self.customer, "2026-01-23")
        self.remind(move, self.level_3, "2026-03-01")
        self.assertFalse(self.run_ladder("2026-03-15")[0])
        logs, mails = self.run_ladder("2026-03-16")
        self.assertEqual((logs.level_id, logs.state, len(mails)), (self.mise_en_demeure, "planned", 0))
        self.assertEqual(len(logs.activity_ids), 1)
        self.assertEqual(logs.activity_ids.summary, "Mise en demeure à valider")
        self.assertEqual(move.relance_level_id, self.level_3)
        self.assertFalse(self.run_ladder("2026-03-17")[0], "the planned notice is not proposed twice")
        with freeze_time("2026-03-17"), self.mock_mail_gateway():
            logs.action_relance_validate()
            self.assertEqual(len(self._new_mails), 1)
            self.assertIn("MISE EN DEMEURE", self._new_mails.subject)
        self.assertEqual((logs.state, move.relance_level_id), ("to_print", self.mise_en_demeure))
        self.assertFalse(logs.activity_ids)

    def test_sixty_days_late_gets_level_1_first(self):
        move = self._invoice(self.customer, "2026-01-15")
        logs, _mails = self.run_ladder("2026-03-16")
        self.assertEqual((logs.level_id, move.relance_level_id), (self.level_1, self.level_1))
        self.assertEqual(move.relance_next_date, D("2026-03-31"))

    def test_manual_last_date_pushes_next_level(self):
        move = self._invoice(self.customer, "2026-02-22")
        self.remind(move, self.level_1, "2026-03-01")
        with freeze_time("2026-03-12"):
            move.relance_last_date = "2026-03-10"
        self.assertFalse(self.run_ladder("2026-03-16")[0])
        self.assertEqual(self.run_ladder("2026-03-25")[0].level_id, self.level_2)

    def test_same_day_twice_sends_nothing_more(self):
        self._invoice(self.customer, "2026-01-15")
        logs, mails = self.run_ladder("2026-03-16")
        self.assertEqual((len(logs), len(mails)), (1, 1))
        logs, mails = self.run_ladder("2026-03-16")
        self.assertEqual((len(logs), len(mails)), (0, 0))

    def test_auto_send_off_sends_nothing(self):
        self._invoice(self.customer, "2026-01-15")
        self.company.relance_auto_send = False
        self.assertFalse(self.run_ladder("2026-03-16")[0])


@tagged("post_install", "-at_install")
class TestLadderSelection(LadderCommon):
    def test_only_open_remindable_invoices(self):
        paid = self._invoice(self.customer, "2026-01-15")
        self._pay(paid, 1200.0, "2026-03-01")
        partial = self._invoice(self.customer_2, "2026-01-15")
        self._pay(partial, 200.0, "2026-03-01")
        excluded = self._invoice(self.customer, "2026-01-15", relance_excluded=True)
        disputed = self._invoice(self.customer, "2026-01-15", relance_dispute=True)
        promised = self._invoice(self.customer, "2026-01-15", relance_promise_date="2026-03-20")
        small = self._invoice(self.customer, "2026-01-15", price=2.0)
        draft = self._invoice(self.customer, "2026-01-15", post=False)
        logs, _mails = self.run_ladder("2026-03-16")
        self.assertEqual(logs.move_ids, partial)
        for move in (paid, excluded, disputed, promised, small, draft):
            self.assertFalse(move.relance_level_id, move.name)
        self.assertEqual(self.run_ladder("2026-03-21")[0].move_ids, promised)

    def test_excluded_partner(self):
        self._invoice(self.customer, "2026-01-15")
        self.customer.relance_excluded = True
        self.assertFalse(self.run_ladder("2026-03-16")[0])

    def test_instalments_each_due_date_counts(self):
        term = self.env["account.payment.term"].create(
            {
                "name": "50 % à 30 jours, 50 % à 60 jours",
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 50, "nb_days": 30}),
                    Command.create({"value": "percent", "value_amount": 50, "nb_days": 60}),
                ],
            }
        )
        move = self._invoice(self.customer, "2026-01-31", invoice_date="2026-01-01", invoice_payment_term_id=term.id)
        self.assertEqual(self.run_ladder("2026-02-07")[0].level_id, self.level_1)
        self.assertEqual(move.relance_due_date, D("2026-01-31"))

    def test_payment_after_planning_is_read_again(self):
        move = self._invoice(self.customer, "2026-01-15")
        with freeze_time("2026-03-16"):
            planned = self.env["account.move"].search(
                self.env["account.move"]._relance_due_domain(self.company, D("2026-03-16"))
            )
            self.assertIn(move, planned)
            self.assertEqual(move.payment_state, "not_paid", "the planning read it unpaid")
            self.env.cr.execute("UPDATE account_move SET payment_state = 'paid' WHERE id = %s", [move.id])
            self.assertFalse(planned._relance_lock_and_recheck(D("2026-03-16")) & move)

    def test_validation_refuses_paid_notice(self):
        move = self._invoice(self.customer, "2026-01-23")
        self.remind(move, self.level_3, "2026-03-01")
        logs, _mails = self.run_ladder("2026-03-16")
        self._pay(move, 1200.0, "2026-03-17")
        with freeze_time("2026-03-17"), self.assertRaisesMessage(UserError, "déjà réglées"):
            logs.with_context(lang="fr_FR").action_relance_validate()
        self.assertEqual((logs.state, move.relance_level_id), ("planned", self.level_3))

    def test_one_batch_per_call_with_progress(self):
        for partner in (self.customer, self.customer_2, self.private_person):
            self._invoice(partner, "2026-01-15")
        cron = self.env.ref("odoo_relance_fr.ir_cron_relance_ladder")
        progress = self.env["ir.cron.progress"].create({"cron_id": cron.id})
        Log = self.env["relance.log"].with_context(ir_cron_progress_id=progress.id)
        reminded = []
        with freeze_time("2026-03-16"), self.mock_mail_gateway():
            for _call in range(3):
                before = self.env["relance.log"].search([])
                Log._cron_relance_ladder(batch_size=2)
                reminded.append(
                    ((self.env["relance.log"].search([]) - before).partner_id, progress.done, progress.remaining)
                )
            self.assertEqual(len(self._new_mails), 3)
        first, second, third = (self.customer | self.customer_2 | self.private_person).sorted("id")
        self.assertEqual(reminded, [(first | second, 2, 1), (third, 1, 0), (self.env["res.partner"], 0, 0)])


@tagged("post_install", "-at_install")
class TestLadderGrouping(LadderCommon):
    def test_three_invoices_one_email_three_pdfs(self):
        first = self._invoice(self.customer, "2026-03-09")
        second = self._invoice(self.customer, "2026-02-22", price=500.0)
        self.remind(second, self.level_1, "2026-03-01")
        third = self._invoice(self.customer, "2026-02-07", price=250.0)
        self.remind(third, self.level_2, "2026-03-01")
        logs, mails = self.run_ladder("2026-03-16")
        self.assertEqual(len(logs), 1)
        self.assertEqual(len(mails), 1)
        self.assertEqual(logs.level_id, self.level_3, "the tone of the highest level")
        self.assertEqual(logs.move_ids, first | second | third)
        self.assertEqual(
            mails.subject,
            "Ateliers Dupont SAS – 3\xa0factures impayées, dont 1 en dernière relance avant mise en demeure",
        )
        self.assertEqual(len(mails.attachment_ids), 3)
        self.assertEqual(set(mails.attachment_ids.mapped("mimetype")), {"application/pdf"})
        self.assertTrue(all(att.raw.startswith(b"%PDF") for att in mails.attachment_ids))
        self.assertEqual(
            (first.relance_level_id, second.relance_level_id, third.relance_level_id),
            (self.level_1, self.level_2, self.level_3),
        )
        self.assertIn(f"une mise en demeure pour la facture {third.name}", mails.body_html)

    def test_pre_due_notices_alone_stay_per_invoice(self):
        with freeze_time("2026-03-10"):
            self._invoice(self.customer, "2026-03-23")
            self._invoice(self.customer, "2026-03-20")
        logs, mails = self.run_ladder("2026-03-16")
        self.assertEqual(sorted(log.level_id.sequence for log in logs), [10, 10])
        self.assertEqual(len(mails), 2)

    def test_pre_due_notices_join_the_days_reminder(self):
        """One message a day: the pre-due notices due the same day as a reminder join it, as their own
        section, not asked to be paid before their due date; two customers, each its own."""
        soon = {}
        for partner in (self.customer, self.customer_2):
            with freeze_time("2026-03-10"):
                soon[partner] = self._invoice(partner, "2026-03-23") | self._invoice(partner, "2026-03-20")
            late = self._invoice(partner, "2026-01-15")
            self.remind(late, self.level_1, "2026-03-01")
        self.company.relance_grouping = True
        logs, mails = self.run_ladder("2026-03-16")
        self.assertEqual(len(logs), 2)
        self.assertEqual(len(mails), 2)
        for partner, moves in soon.items():
            log = logs.filtered(lambda log, partner=partner: log.partner_id == partner)
            self.assertEqual((len(log.move_ids), log.level_id), (3, self.level_2))
            self.assertEqual({move.relance_level_id for move in moves}, {self.pre_due})
            body = mails.filtered(lambda mail, partner=partner: mail.recipient_ids == partner).body_html
            self.assertIn("les factures ci-dessous arriveront prochainement à échéance", body)
            self.assertIn(
                "Les factures non encore échues ne sont pas concernées par ce délai\u00a0: elles sont à régler au plus "
                "tard à leur échéance.",
                body,
            )
            self.assertIn("Nous vous demandons de procéder à son règlement sous", body)
            for move in moves:
                self.assertIn(move.name, body)

    def test_grouping_off_one_email_per_invoice(self):
        self.company.relance_grouping = False
        self._invoice(self.customer, "2026-01-15")
        self._invoice(self.customer, "2026-01-20")
        logs, mails = self.run_ladder("2026-03-16")
        self.assertEqual((len(logs), len(mails)), (2, 2))

    def test_stored_invoice_pdf_is_reused(self):
        move = self._invoice(self.customer, "2026-01-15")
        stored = self.env["ir.attachment"].create(
            {
                "name": "stored.pdf",
                "raw": b"%PDF-1.4 stored",
                "res_model": "account.move",
                "res_id": move.id,
                "res_field": "invoice_pdf_report_file",
                "mimetype": "application/pdf",
            }
        )
        move.invalidate_recordset(["invoice_pdf_report_id"])
        self.assertEqual(move.invoice_pdf_report_id, stored)
        _logs, mails = self.run_ladder("2026-03-16")
        self.assertEqual(mails.attachment_ids, stored)

    def test_stored_pdf_whose_file_is_gone_is_rendered_again(self):
        move = self._invoice(self.customer, "2026-01-15")
        stored = self.env["ir.attachment"].create(
            {
                "name": "stored.pdf",
                "raw": b"%PDF-1.4 stored",
                "res_model": "account.move",
                "res_id": move.id,
                "res_field": "invoice_pdf_report_file",
                "mimetype": "application/pdf",
            }
        )
        # its file is gone from the filestore, as in a database restored without its filestore
        self.env.cr.execute(
            "UPDATE ir_attachment SET store_fname = 'ab/gone-from-filestore' WHERE id = %s", [stored.id]
        )
        stored.invalidate_recordset()
        self.assertEqual(stored.raw, b"")
        logs, mails = self.run_ladder("2026-03-16")
        self.assertEqual(logs.state, "sent")
        self.assertEqual(len(mails.attachment_ids), 1)
        self.assertNotEqual(mails.attachment_ids, stored)
        self.assertTrue(mails.attachment_ids.raw.startswith(b"%PDF-"))
        self.assertGreater(mails.attachment_ids.file_size, 1000)
        self.assertEqual(logs.attachment_ids, mails.attachment_ids)


@tagged("post_install", "-at_install")
class TestLadderFailures(LadderCommon):
    def test_failing_customer_among_good_ones(self):
        no_email = self.env["res.partner"].create({"name": "Menuiserie Sans Mail", "is_company": True})
        bad = self._invoice(no_email, "2026-01-15")
        good = self._invoice(self.customer, "2026-01-15")
        other = self._invoice(self.customer_2, "2026-01-15")
        logs, mails = self.run_ladder("2026-03-16")
        failed = logs.filtered(lambda log: log.state == "failed")
        self.assertEqual(failed.move_ids, bad)
        self.assertIn("n'a ni adresse e-mail ni adresse postale", failed.note)
        self.assertEqual((logs - failed).move_ids, good | other)
        self.assertEqual(len(mails), 2)
        self.assertFalse(bad.relance_level_id)
        self.assertFalse(bad.relance_last_date)
        self.assertFalse(self.run_ladder("2026-03-16")[0], "not retried the same day")
        no_email.email = "contact@menuiserie.example"
        retry, _mails = self.run_ladder("2026-03-17")
        self.assertEqual((retry.move_ids, retry.state), (bad, "sent"))

    def test_level_without_template_is_refused_when_saved(self):
        with self.assertRaisesMessage(ValidationError, "n'a pas de modèle d'e-mail"):
            self.level_1.with_context(lang="fr_FR").mail_template_id = False
        self.level_1.invalidate_recordset()
        self.assertTrue(self.level_1.mail_template_id)


@tagged("post_install", "-at_install")
class TestReminderTexts(LadderCommon):
    def test_french_level_1_text(self):
        contact = self.env["res.partner"].create(
            {
                "name": "Service comptable",
                "type": "invoice",
                "parent_id": self.customer.id,
                "email": "factures@boulangerie-martin.fr",
            }
        )
        move = self._invoice(self.customer, "2026-01-15", invoice_date="2026-01-01")
        _logs, mails = self.run_ladder("2026-03-16")
        self.assertEqual(mails.recipient_ids, contact)
        body = mails.body_html
        for text in (
            "Madame, Monsieur,",
            "Sauf erreur ou omission de notre part",
            move.name,
            "01/01/2026",
            "15/01/2026",
            "1\xa0200,00\xa0€",
            "FR76 3000 6000 0112 3456 7890 189",
            "AGRIFRPP882",
            "/my/invoices/",
            "merci de ne pas tenir compte de ce message",
            "Jours de retard",
            "compta@ateliers-dupont.fr",
        ):
            self.assertIn(text, body)
        self.assertNotIn("Pénalités", body)
        with self.mock_mail_gateway():
            mails.send()
        self.assertEqual(len(self._mails), 1)
        self.assertEqual(self._mails[0]["email_to"], ['"Service comptable" <factures@boulangerie-martin.fr>'])
        self.assertEqual(len(self._mails[0]["attachments"]), 1)

    def test_french_level_2_shows_penalties(self):
        move = self._invoice(self.customer, "2026-01-15", invoice_date="2026-01-01")
        self.remind(move, self.level_1, "2026-03-01")
        _logs, mails = self.run_ladder("2026-03-16")
        for text in (
            "Malgré notre précédente relance",
            "60 jours",
            "Pénalités de retard",
            "23,97\xa0€",
            "40,00\xa0€",
            "L441-10",
            "D441-5",
        ):
            self.assertIn(text, mails.body_html)

    def test_private_person_sees_no_penalties(self):
        move = self._invoice(self.private_person, "2026-01-15", invoice_date="2026-01-01")
        self.remind(move, self.level_1, "2026-03-01")
        _logs, mails = self.run_ladder("2026-03-16")
        self.assertNotIn("L441-10", mails.body_html)
        self.assertNotIn("40,00", mails.body_html)

    def test_english_customer_gets_english(self):
        self.env["res.lang"]._activate_lang("en_US")
        self.customer.lang = "en_US"
        move = self._invoice(self.customer, "2026-01-15", invoice_date="2026-01-01")
        _logs, mails = self.run_ladder("2026-03-16")
        self.assertIn("Unless we are mistaken", mails.body_html)
        self.assertIn("1,200.00\xa0€", mails.body_html)
        self.assertIn("01/15/2026", mails.body_html)
        self.assertIn(move.name, mails.subject)

    def test_chatter_of_invoice_and_customer(self):
        move = self._invoice(self.customer, "2026-01-15")
        self.run_ladder("2026-03-16")
        expected = f"Relance 1 (courtoise) envoyée (E-mail) le 16/03/2026 pour les factures {move.name}."
        self.assertTrue(any(expected in body for body in move.message_ids.mapped("body")))
        self.assertTrue(any(expected in body for body in self.customer.message_ids.mapped("body")))

    def test_chatter_and_levels_of_several_customers_in_one_run(self):
        """The run writes its customers' invoice levels and chatter notes together: each invoice and each
        customer gets its own notes, a customer with two reminders that day both of them."""
        with freeze_time("2026-03-10"):
            first = self._invoice(self.customer, "2026-03-23")
            second = self._invoice(self.customer, "2026-03-20")
        late = self._invoice(self.customer_2, "2026-01-15")
        self.remind(late, self.level_1, "2026-03-01")
        logs, mails = self.run_ladder("2026-03-16")
        self.assertEqual(len(logs), 3)
        self.assertEqual(len(mails), 3)

        def notes(record):
            return [body for body in record.message_ids.mapped("body") if "envoyée (E-mail) le 16/03/2026" in body]

        for move, level in ((first, self.pre_due), (second, self.pre_due), (late, self.level_2)):
            self.assertEqual((move.relance_level_id, move.relance_last_date), (level, D("2026-03-16")))
            [note] = notes(move)
            self.assertIn(f"pour les factures {move.name}.", note)
        self.assertEqual(
            sorted(notes(self.customer)),
            sorted(
                f"<p>Avis avant échéance envoyée (E-mail) le 16/03/2026 pour les factures {move.name}.</p>"
                for move in (first, second)
            ),
        )
        [note] = notes(self.customer_2)
        self.assertIn(f"pour les factures {late.name}.", note)
        self.assertNotIn(first.name, note)

    def test_emails_of_one_commit_created_together_each_its_own(self):
        """The scheduler renders each customer's email in that customer's own step and queues the emails of one
        commit together (one INSERT): each reminder still has its own email, to its own customer, naming its own
        invoices with their own PDFs; a customer whose email cannot be rendered fails alone."""
        customers = self.customer | self.customer_2
        for name in ("Imprimerie Roux", "Fromagerie Blanc"):
            customers |= self.env["res.partner"].create(
                {
                    "name": name,
                    "is_company": True,
                    "email": f"compta@{name.split()[1].lower()}.example",
                    "lang": "fr_FR",
                }
            )
        moves = {
            partner: self._invoice(partner, "2026-03-09", price=100.0 * (i + 1)) for i, partner in enumerate(customers)
        }
        broken_customer = self.env["res.partner"].create(
            {"name": "Scierie Morel", "is_company": True, "email": "compta@morel.example", "lang": "fr_FR"}
        )
        broken = self._invoice(broken_customer, "2026-02-22")
        self.remind(broken, self.level_1, "2026-03-01")
        template = self.level_2.mail_template_id
        for lang in ("en_US", "fr_FR"):  # an accountant's mistake in the Reminder 2 template only
            template.with_context(lang=lang).subject = "{{ object.no_such_field }}"
        inserts = []

        def hook(_cr, query, _params, _start, _delay):
            if str(query).startswith('INSERT INTO "mail_mail"'):
                inserts.append(query)

        thread = threading.current_thread()
        thread.query_hooks = [*getattr(thread, "query_hooks", ()), hook]
        try:
            logs, mails = self.run_ladder("2026-03-16")
        finally:
            thread.query_hooks = [other for other in thread.query_hooks if other is not hook]
        self.assertEqual(len(inserts), 1, "the run's emails are created in one go")
        failed = logs.filtered(lambda log: log.state == "failed")
        self.assertEqual((failed.partner_id, failed.move_ids), (broken_customer, broken))
        self.assertEqual(broken.relance_level_id, self.level_1, "nothing changed for the customer that failed")
        sent = logs - failed
        self.assertEqual(sent.partner_id, customers)
        self.assertEqual(len(mails), 4)
        self.assertEqual(sent.mail_mail_id, mails)
        for log in sent:
            move = moves[log.partner_id]
            mail = log.mail_mail_id
            self.assertEqual(
                (mail.model, mail.res_id, log.mail_message_id), ("relance.log", log.id, mail.mail_message_id)
            )
            self.assertEqual(mail.recipient_ids, log.partner_id)
            self.assertEqual(mail.subject, f"Ateliers Dupont SAS – 1re relance – facture {move.name} impayée")
            self.assertIn(move.name, mail.body_html)
            self.assertIn(f"{move.amount_total:.2f}".replace(".", ","), mail.body_html)
            for other in set(moves.values()) - {move}:
                self.assertNotIn(other.name, mail.body_html)
            self.assertEqual(mail.attachment_ids.mapped("res_id"), move.ids)
            self.assertTrue(mail.attachment_ids.raw.startswith(b"%PDF"))
            self.assertEqual(move.relance_level_id, self.level_1)

    def test_sender_user_and_copy(self):
        sender = self._user("relance_sender", "account.group_account_invoice")
        sender.write({"name": "Sophie Laurent", "email": "sophie.laurent@ateliers-dupont.fr"})
        accountant = self._user("relance_cc", "account.group_account_invoice")
        accountant.write({"name": "Paul Comptable", "email": "paul@cabinet-compta.fr"})
        self.company.write(
            {"relance_sender": "user", "relance_sender_user_id": sender.id, "relance_cc_user_id": accountant.id}
        )
        self._invoice(self.customer, "2026-01-15")
        logs, mails = self.run_ladder("2026-03-16")
        self.assertEqual(mails.email_from, '"Sophie Laurent" <sophie.laurent@ateliers-dupont.fr>')
        self.assertEqual(mails.email_cc, '"Paul Comptable" <paul@cabinet-compta.fr>')
        self.assertIn("Sophie Laurent", mails.body_html)
        self.assertEqual(logs.user_id, sender)
