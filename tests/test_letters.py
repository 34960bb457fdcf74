import io
from unittest.mock import patch

from freezegun import freeze_time
from PyPDF2 import PdfFileReader

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import html2plaintext

from .common import LadderCommon


@tagged("post_install", "-at_install")
class TestLetters(LadderCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.relance_share_capital = "50 000 €"
        for partner in (cls.customer, cls.customer_2, cls.private_person):
            partner.write({"street": "3 place du Marché", "zip": "69001", "city": "Lyon"})

    def letter_text(self, log, report="odoo_relance_fr.action_report_relance_letter"):
        html = self.env["ir.actions.report"]._render_qweb_html(report, log.ids)[0]
        return " ".join(html2plaintext(html.decode() if isinstance(html, bytes) else html).split())

    def level_3_log(self, partner):
        move = self._invoice(partner, "2026-01-15", invoice_date="2026-01-01")
        self.remind(move, self.level_2, "2026-03-01")
        logs, _mails = self.run_ladder("2026-03-16")
        self.assertEqual((logs.level_id, logs.state), (self.level_3, "to_print"))
        return logs, move

    def formal_notice_log(self, partner):
        move = self._invoice(partner, "2026-01-15", invoice_date="2026-01-01")
        self.env["relance.log"].create(
            {
                "date": "2026-02-20",
                "partner_id": partner.id,
                "level_id": self.level_3.id,
                "channel": "email",
                "move_ids": [(6, 0, move.ids)],
                "state": "sent",
            }
        )
        self.remind(move, self.level_3, "2026-02-20")
        logs, _mails = self.run_ladder("2026-03-16")
        self.assertEqual((logs.level_id, logs.state), (self.mise_en_demeure, "planned"))
        return logs, move

    def test_reminder_letter_business(self):
        log, move = self.level_3_log(self.customer)
        text = self.letter_text(log)
        for expected in (
            "Ateliers Dupont SAS",
            "Boulangerie Martin SARL",
            "3 place du Marché",
            "Paris, le 16 mars 2026",
            "Objet : Dernière relance avant mise en demeure",
            "Madame, Monsieur,",
            move.name,
            "15/01/2026",
            "1 200,00 €",
            "Pénalités de retard",
            "23,97 €",
            "40,00 €",
            "L441-10",
            "FR76 3000 6000 0112 3456 7890 189",
            "au capital de 50 000 €",
            "SIREN 334 175 221",
            "SIRET 334 175 221 00012",
            "TVA intracommunautaire FR23334175221",
            "merci de ne pas tenir compte de ce courrier",
            "Service comptabilité",
        ):
            self.assertIn(expected, text)
        self.assertNotIn("MISE EN DEMEURE", text)

    def test_reminder_letter_private_person(self):
        log, _move = self.level_3_log(self.private_person)
        text = self.letter_text(log)
        self.assertIn("Mme Claire Petit", text)
        self.assertIn("1 200,00 €", text)
        for absent in ("L441-10", "D441-5", "40,00 €", "Pénalités"):
            self.assertNotIn(absent, text)

    def test_formal_notice_business(self):
        log, move = self.formal_notice_log(self.customer)
        log.lrar_number = "1A 234 567 8901 2"
        text = self.letter_text(log, "odoo_relance_fr.action_report_relance_mise_en_demeure")
        for expected in (
            "LETTRE RECOMMANDÉE AVEC ACCUSÉ DE RÉCEPTION",
            "N° : 1A 234 567 8901 2",
            "Objet : MISE EN DEMEURE DE PAYER",
            "Malgré notre relance du 20/02/2026, restée sans effet",
            move.name,
            "la somme de 1 263,97 € dans un délai de 8 jours",
            "Principal restant dû 1 200,00 €",
            "Pénalités de retard au 16/03/2026 (art. L441-10 du Code de commerce",
            "soit 12,15 % l'an) 23,97 €",
            "Indemnité forfaitaire pour frais de recouvrement (art. D441-5 du Code de commerce) 40,00 €",
            "Total exigible 1 263,97 €",
            "injonction de payer",
            "Paris, le 16 mars 2026",
        ):
            self.assertIn(expected, text)

    def test_formal_notice_private_person(self):
        log, _move = self.formal_notice_log(self.private_person)
        self.company.relance_med_deadline = 15
        text = self.letter_text(log, "odoo_relance_fr.action_report_relance_mise_en_demeure")
        self.assertIn("article 1344-1 du Code civil", text)
        self.assertIn("dans un délai de 15 jours", text)
        for absent in ("L441-10", "D441-5", "40,00 €"):
            self.assertNotIn(absent, text)

    def test_print_waiting_letters_as_one_pdf(self):
        first, _move = self.level_3_log(self.customer)
        second, _move = self.level_3_log(self.customer_2)
        with freeze_time("2026-03-16"):
            action = self.env["relance.log"].action_relance_print_letters()
        merged = self.env["ir.attachment"].browse(int(action["url"].split("/")[3].split("?")[0]))
        pages = PdfFileReader(io.BytesIO(merged.raw)).getNumPages()
        own_pages = sum(PdfFileReader(io.BytesIO(log.letter_attachment_id.raw)).getNumPages() for log in first | second)
        self.assertEqual(pages, own_pages)
        self.assertGreaterEqual(pages, 2)
        self.assertEqual((first | second).mapped("state"), ["printed", "printed"])
        letter = first.letter_attachment_id
        self.assertEqual(first.action_relance_reprint()["url"], f"/web/content/{letter.id}?download=true")
        self.assertEqual(first.letter_attachment_id, letter, "reprinted exactly as sent")
        with self.assertRaisesMessage(UserError, "Aucun courrier"):
            self.env["relance.log"].with_context(lang="fr_FR").action_relance_print_letters()

    def test_waiting_letters_printed_formal_notices_first_each_page_its_letter(self):
        """The day's PDF: the formal notice (its letter made when validated) first, then the reminder letters
        rendered for the occasion in one run; page after page, exactly each letter's own file."""
        first, _move = self.level_3_log(self.customer)
        second, _move = self.level_3_log(self.customer_2)
        notice, _move = self.formal_notice_log(self.private_person)
        with freeze_time("2026-03-17"), self.mock_mail_gateway():
            notice.action_relance_validate()
        notice_letter = notice.letter_attachment_id
        self.assertTrue(notice_letter and not (first | second).letter_attachment_id)
        with freeze_time("2026-03-17"):
            action = self.env["relance.log"].action_relance_print_letters()
        merged = self.env["ir.attachment"].browse(int(action["url"].split("/")[3].split("?")[0]))

        def texts(raw):
            reader = PdfFileReader(io.BytesIO(raw))
            return [" ".join(reader.getPage(i).extractText().split()) for i in range(reader.getNumPages())]

        letters = [texts(log.letter_attachment_id.raw) for log in (notice, first, second)]
        self.assertEqual(texts(merged.raw), [page for letter in letters for page in letter])
        for letter, log in zip(letters, (notice, first, second), strict=True):
            self.assertIn(log.partner_id.name, letter[0])
        self.assertIn("MISE EN DEMEURE", letters[0][0])
        self.assertEqual(notice.letter_attachment_id, notice_letter, "the notice's letter is the one emailed")
        self.assertEqual((notice | first | second).mapped("state"), ["printed"] * 3)

    def test_reprint_of_a_letter_whose_file_is_gone(self):
        log, _move = self.level_3_log(self.customer)
        with freeze_time("2026-03-16"):
            log.action_relance_print_letters()
        letter = log.letter_attachment_id
        self.env.cr.execute(
            "UPDATE ir_attachment SET store_fname = 'ab/gone-from-filestore' WHERE id = %s", [letter.id]
        )
        letter.invalidate_recordset()
        log.action_relance_reprint()
        self.assertNotEqual(log.letter_attachment_id, letter)
        self.assertTrue(log.letter_attachment_id.raw.startswith(b"%PDF-"))
        self.assertEqual(log.state, "printed")

    def test_letter_for_paid_invoice_refused(self):
        log, move = self.level_3_log(self.customer)
        self._pay(move, 1200.0, "2026-03-17")
        with self.assertRaisesMessage(UserError, "concerne des factures déjà réglées"):
            log.with_context(lang="fr_FR").action_relance_print_letters()
        self.assertEqual((log.state, log.letter_attachment_id.id), ("to_print", False))
        log.action_relance_cancel()
        self.assertEqual(log.state, "cancelled")

    def test_letter_level_without_postal_address_fails_cleanly(self):
        self.customer_2.write({"street": False, "city": False})
        move = self._invoice(self.customer_2, "2026-01-15")
        self.remind(move, self.level_2, "2026-03-01")
        logs, mails = self.run_ladder("2026-03-16")
        self.assertEqual((logs.state, len(mails), move.relance_level_id), ("failed", 0, self.level_2))
        self.assertIn("n'a pas d'adresse postale", logs.note)

    def test_print_refused_when_address_removed(self):
        log, _move = self.level_3_log(self.customer_2)
        self.customer_2.write({"street": False, "city": False})
        with self.assertRaisesMessage(UserError, "n'a pas d'adresse postale"):
            log.with_context(lang="fr_FR").action_relance_print_letters()
        self.assertEqual(log.state, "to_print")

    def test_formal_notice_validation_flow(self):
        log, move = self.formal_notice_log(self.customer)
        log.lrar_number = "1A 234 567 8901 2"
        with freeze_time("2026-03-17"), self.mock_mail_gateway():
            log.action_relance_validate()
            self.assertEqual(len(self._new_mails), 1)
            self.assertIn("MISE EN DEMEURE", self._new_mails.subject)
        self.assertEqual((log.state, move.relance_level_id), ("to_print", self.mise_en_demeure))
        pdf_text = log.letter_attachment_id.raw
        self.assertTrue(pdf_text.startswith(b"%PDF"))
        self.assertIn(
            "1A 234 567 8901 2", self.letter_text(log, "odoo_relance_fr.action_report_relance_mise_en_demeure")
        )
        log.lrar_ack_date = "2026-03-20"
        self.assertEqual(str(log.lrar_ack_date), "2026-03-20")

    def test_failed_reminder_sent_again(self):
        no_email = self.env["res.partner"].create({"name": "Menuiserie Sans Mail", "is_company": True})
        move = self._invoice(no_email, "2026-01-15")
        failed, _mails = self.run_ladder("2026-03-16")
        self.assertEqual(failed.state, "failed")
        no_email.email = "contact@menuiserie.example"
        with freeze_time("2026-03-16"), self.mock_mail_gateway():
            failed.action_relance_retry()
            self.assertEqual(len(self._new_mails), 1)
        self.assertEqual(failed.state, "cancelled")
        self.assertEqual(move.relance_level_id, self.level_1)

    def test_grouped_letter_keeps_each_invoice_level(self):
        first = self._invoice(self.customer, "2026-03-09")
        second = self._invoice(self.customer, "2026-02-07", price=250.0)
        self.remind(second, self.level_2, "2026-03-01")
        logs, _mails = self.run_ladder("2026-03-16")
        self.assertEqual((logs.level_id, logs.state), (self.level_3, "to_print"))
        text = self.letter_text(logs)
        self.assertIn(f"{first.name} [", text)
        self.assertIn("1re relance", text)
        self.assertIn("Dernière relance", text)
        self.assertNotIn("Mise en demeure", text)
        self.assertNotIn("2e relance", text)
        self.assertNotIn("Relance 1 (courtoise)", text)

    def test_batch_that_fails_is_rendered_again_in_halves(self):
        """A letter that cannot be rendered costs a few wkhtmltopdf runs (halves of the batch, then halves of
        the half that failed), not one run for each letter of the batch; every other letter is its own."""
        self.env["ir.config_parameter"].set_param("report.print_delay", "0")  # the runs only are counted here
        customers = self.env["res.partner"].create(
            [
                {"name": f"Client courrier {i}", "is_company": True, "street": f"{i} rue Neuve", "zip": "69002"}
                | {"city": "Lyon", "email": f"client{i}@courrier.example", "lang": "fr_FR"}
                for i in range(7)
            ]
        )
        for customer in customers:
            self.remind(self._invoice(customer, "2026-01-15", invoice_date="2026-01-01"), self.level_2, "2026-03-01")
        logs, _mails = self.run_ladder("2026-03-16")
        self.assertEqual(set(logs.mapped("state")), {"to_print"})
        gone = self.env["relance.log"].create({"date": "2026-03-16", "partner_id": self.customer.id})
        gone_id = gone.id
        gone.unlink()
        report = self.env.ref("odoo_relance_fr.action_report_relance_letter")
        ids = [gone_id, *logs.ids]
        Report = self.env["ir.actions.report"]
        with patch.object(
            type(Report), "_relance_try_render", autospec=True, side_effect=type(Report)._relance_try_render
        ) as runs:
            whole_runs = []
            pdfs = Report._relance_render_each(report, ids, runs=whole_runs)
        self.assertEqual(set(pdfs), set(logs.ids), "the batch failed on the deleted record: the others rendered")
        self.assertLessEqual(runs.call_count, 7, "8 letters, one bad: 2 runs per halving at most, not 1 + 8")
        # the runs that printed, each with its whole PDF: together, every letter once, in order, as split
        self.assertEqual([res_id for run_ids, _whole in whole_runs for res_id in run_ids], logs.ids)
        for run_ids, whole in whole_runs:
            self.assertEqual(
                PdfFileReader(io.BytesIO(whole)).getNumPages(),
                sum(PdfFileReader(io.BytesIO(pdfs[res_id])).getNumPages() for res_id in run_ids),
            )
        for log in logs:
            page = PdfFileReader(io.BytesIO(pdfs[log.id])).getPage(0).extractText()
            self.assertIn(log.partner_id.name, " ".join(page.split()), "each PDF is its own customer's letter")
            for other in logs - log:
                self.assertNotIn(other.partner_id.name + " ", " ".join(page.split()) + " ")
