"""A database made by an older release: what it kept works with this one (odoo_relance_fr/upgrade_steps.py)."""

from freezegun import freeze_time

from odoo.tests import tagged
from odoo.tools import html2plaintext

from odoo.addons.odoo_relance_fr import upgrade_steps

from .common import LadderCommon

# The French texts of 18.0.1.3.0 as a database keeps them after an update: the update rewrites the
# English text of a translated field, never its French one.
PREVIOUS_SUBJECT = "{{ object.relance_subject() }}"
PREVIOUS_LEVEL_1 = """<div style="font-family: Arial, Helvetica, sans-serif; font-size: 14px;">
    <p>Madame, Monsieur,</p>
    <p>Sauf erreur ou omission de notre part, le règlement de la facture <t t-out="object.relance_first()['name']"/>, \
échue le <t t-out="object.relance_first()['due_date']"/>, ne nous est pas encore parvenu.</p>
    <t t-out="object.relance_html('table')"/>
    <p>Il s'agit sans doute d'un simple oubli\u00a0: nous vous remercions de bien vouloir procéder à son règlement \
dans les meilleurs délais.</p>
    <t t-out="object.relance_html('payment')"/>
    <p>Si votre règlement nous est parvenu entre-temps, merci de ne pas tenir compte de ce message.</p>
    <p>Nous vous prions d'agréer, Madame, Monsieur, nos salutations distinguées.</p>
    <t t-out="object.relance_html('signature')"/>
</div>
        """
PREVIOUS_GROUPED = """<div style="font-family: Arial, Helvetica, sans-serif; font-size: 14px;">
    <p>Madame, Monsieur,</p>
    <t t-out="object.relance_html('sections')"/>
    <t t-out="object.relance_html('closing')"/>
    <t t-out="object.relance_html('payment')"/>
    <p>Si votre règlement nous est parvenu entre-temps, merci de ne pas tenir compte de ce message.</p>
    <p>Nous vous prions d'agréer, Madame, Monsieur, nos salutations distinguées.</p>
    <t t-out="object.relance_html('signature')"/>
</div>
        """
PREVIOUS_STATEMENT_SUBJECT = (
    "{{ object.company_id.name }} – relevé de compte au {{ object.relance_statement_summary()['date'] }}"
)
PREVIOUS_STATEMENT = """<div style="font-family: Arial, Helvetica, sans-serif; font-size: 14px;">
    <p>Madame, Monsieur,</p>
    <p>Veuillez trouver ci-joint le relevé de votre compte au <t t-out="object.relance_statement_summary()['date']"/>\
\u00a0: la liste de vos factures et avoirs ouverts, avec leurs échéances.</p>
    <p t-foreach="object.relance_statement_summary()['amounts']" t-as="amount">Solde\u00a0: \
<strong t-out="amount['balance']"/>, dont échu\u00a0: <strong t-out="amount['overdue']"/>.</p>
    <p>Nous vous prions d'agréer, Madame, Monsieur, nos salutations distinguées.</p>
    <t t-out="object.relance_html('signature')"/>
</div>
        """


@tagged("post_install", "-at_install")
class TestUpgradeFrom1_3(LadderCommon):
    def set_previous(self, xmlid, subject, body):
        template = self.env.ref(f"odoo_relance_fr.{xmlid}").with_context(lang="fr_FR")
        template.write({"subject": subject, "body_html": body})
        return template

    def upgrade(self):
        self.env.flush_all()
        upgrade_steps.rename_template_calls(self.env.cr)
        self.env.invalidate_all()

    def test_french_templates_kept_by_an_update_render_each_customer(self):
        """The French reminder templates a database kept from 18.0.1.3.0, and a template an accountant made
        from one of them, render each customer's own email once upgraded (on 18.0.1.3.0's texts, without the
        upgrade, every email failed: « Échec du rendu du modèle inline_template »)."""
        self.set_previous("mail_template_relance_level_1", PREVIOUS_SUBJECT, PREVIOUS_LEVEL_1)
        self.set_previous("mail_template_relance_grouped", PREVIOUS_SUBJECT, PREVIOUS_GROUPED)
        own = self.env.ref("odoo_relance_fr.mail_template_relance_level_1").copy({"name": "Relance maison"})
        own.with_context(lang="fr_FR").write(
            {
                "subject": "Rappel – {{ object.relance_subject() }}",
                "body_html": PREVIOUS_LEVEL_1.replace("Madame, Monsieur,", "Chère cliente, cher client,"),
            }
        )
        own.with_context(lang="en_US").write({"subject": "Reminder – {{ object.relance_subject() }}"})
        self.level_2.mail_template_id = own
        single = self._invoice(self.customer, "2026-03-09", price=1000.0)
        grouped = self._invoice(self.customer_2, "2026-03-09", price=300.0) | self._invoice(
            self.customer_2, "2026-03-05", price=700.0
        )
        at_level_2 = self._invoice(self.private_person, "2026-02-15", price=450.0)
        self.remind(at_level_2, self.level_1, "2026-02-22")
        self.upgrade()
        logs, mails = self.run_ladder("2026-03-16")
        self.assertEqual(logs.mapped("state"), ["sent"] * 3, logs.mapped("note"))
        by_customer = {mail.recipient_ids: mail for mail in mails}
        self.assertEqual(set(by_customer), {self.customer, self.customer_2, self.private_person})
        for partner, moves, greeting, total in (
            (self.customer, single, "Madame, Monsieur,", "1\xa0200,00\xa0€"),
            (self.customer_2, grouped, "Madame, Monsieur,", "1\xa0200,00\xa0€"),
            (self.private_person, at_level_2, "Chère cliente, cher client,", "540,00\xa0€"),
        ):
            mail = by_customer[partner]
            text = html2plaintext(mail.body_html)
            self.assertIn(greeting, text)
            self.assertIn("Nous vous prions d'agréer", text)
            for move in moves:
                self.assertIn(move.name, text)
                self.assertIn(move.name if len(moves) == 1 else "2\xa0factures impayées", mail.subject)
            for other in (single | grouped | at_level_2) - moves:
                self.assertNotIn(other.name, text)
            self.assertTrue(
                mail.subject.startswith("Rappel – " if partner == self.private_person else "Ateliers Dupont SAS – ")
            )
            self.assertIn(total, text)
        self.assertIn(
            "Sauf erreur ou omission de notre part, le règlement de la facture",
            html2plaintext(by_customer[self.customer].body_html),
        )

    def test_french_statement_template_kept_by_an_update(self):
        """The statement email of 18.0.1.3.0 in French: its date and balance, each customer its own."""
        self.set_previous("mail_template_relance_statement", PREVIOUS_STATEMENT_SUBJECT, PREVIOUS_STATEMENT)
        self.company.write(
            {"relance_auto_send": False, "relance_statement_day": "16", "relance_statement_min_overdue": 1}
        )
        self._invoice(self.customer, "2026-02-15", price=1000.0)
        self._invoice(self.customer_2, "2026-02-20", price=250.0)
        self.upgrade()
        with freeze_time("2026-03-16"), self.mock_mail_gateway():
            self.env.ref("odoo_relance_fr.ir_cron_relance_statement").method_direct_trigger()
            mails = self._new_mails
        by_customer = {mail.recipient_ids: mail for mail in mails}
        self.assertEqual(set(by_customer), {self.customer, self.customer_2})
        for partner, amount in ((self.customer, "1\xa0200,00\xa0€"), (self.customer_2, "300,00\xa0€")):
            mail = by_customer[partner]
            self.assertEqual(mail.subject, "Ateliers Dupont SAS – relevé de compte au 16/03/2026")
            self.assertIn(f"Solde\u00a0: *{amount}*, dont échu\u00a0: *{amount}*.", html2plaintext(mail.body_html))


@tagged("post_install", "-at_install")
class TestOdooTestRunner(LadderCommon):
    def test_odoo_test_loader_reads_the_addon(self):
        """Odoo's own test runner (--test-tags, --test-enable) looks for upgrade tests in a package named
        `upgrades` of every module it loads: a module file of that name made it crash on any database with
        the addon, before running a single test of any module."""
        from odoo.tests import loader

        self.assertEqual(loader.get_test_modules("odoo_relance_fr"), [])
        self.assertTrue(loader.get_test_modules("account"), "the loader finds a module's tests")
