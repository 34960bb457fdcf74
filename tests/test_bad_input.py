"""Bad input through the API and the UI: a clear French error, and nothing written."""

from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common import RelanceCommon


@tagged("post_install", "-at_install")
class TestBadInput(RelanceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.move = cls._invoice(cls.customer, "2026-01-15")
        cls.rate = cls.env["relance.rate"].search([], limit=1)

    def assertRefused(self, record, vals, message):
        """Writing vals raises a French ValidationError matching message and changes nothing."""
        fnames = list(vals)
        before = record.read(fnames)
        with self.assertRaisesMessage(ValidationError, message):
            record.with_context(lang="fr_FR").write(vals)
        record.invalidate_recordset()
        self.assertEqual(record.read(fnames), before, f"{vals} must not be written")

    def test_wrong_types_through_the_api(self):
        cases = [
            (
                self.level_2,
                {"delay": "vingt"},
                r"Valeur invalide pour «\xa0Délai \(jours\)\xa0»\xa0: 'vingt' n'est pas un nombre entier",
            ),
            (self.level_2, {"gap": 1.5}, r"«\xa0Écart minimum \(jours\)\xa0»\xa0: 1.5 n'est pas un nombre entier"),
            (self.level_2, {"channel": "fax"}, r"'fax' n'est pas l'une des valeurs email, letter, email_letter, phone"),
            (self.level_2, {"automatic": "oui"}, "'oui' n'est pas vrai ou faux"),
            (self.level_2, {"mail_template_id": "Relance 2"}, "n'est pas l'identifiant d'un enregistrement"),
            (
                self.move,
                {"relance_last_date": "hier"},
                r"«\xa0Dernière relance\xa0»\xa0: 'hier' n'est pas une date \(AAAA-MM-JJ\)",
            ),
            (
                self.move,
                {"relance_promise_date": 20260401},
                "«\xa0Date de paiement promise\xa0»\xa0: 20260401 n'est pas une date",
            ),
            (
                self.company,
                {"relance_min_amount": "cinq euros"},
                "«\xa0Montant minimum à relancer\xa0»\xa0: 'cinq euros' n'est pas un nombre",
            ),
            (self.rate, {"rate": "élevé"}, r"«\xa0Taux \(%\)\xa0»\xa0: 'élevé' n'est pas un nombre"),
        ]
        for record, vals, message in cases:
            with self.subTest(vals=vals):
                self.assertRefused(record, vals, message)

    def test_wrong_type_on_create_creates_nothing(self):
        count = self.env["relance.level"].search_count([])
        with self.assertRaisesMessage(ValidationError, "Valeur invalide pour «\xa0Délai"):
            self.env["relance.level"].with_context(lang="fr_FR").create(
                {"name": "Appel", "sequence": 60, "delay": "soixante", "channel": "phone"}
            )
        self.assertEqual(self.env["relance.level"].search_count([]), count)

    def test_negative_delays(self):
        self.assertRefused(self.level_1, {"delay": -3}, "seul un avis avant échéance peut partir avant l'échéance")
        self.assertRefused(self.pre_due, {"delay": 3}, "donnez-lui un délai négatif")
        self.assertRefused(self.level_2, {"gap": -1}, "ne peut pas être négatif")
        self.assertRefused(self.company, {"relance_min_amount": -5.0}, "ne peut pas être négatif")
        self.assertRefused(self.company, {"relance_med_deadline": -8}, "au moins un jour")

    def test_level_order_that_makes_no_sense(self):
        self.assertRefused(self.level_3, {"delay": 10}, "est inférieur à celui du niveau précédent")
        self.assertRefused(self.level_3, {"sequence": self.level_2.sequence}, "ont la même séquence")

    def test_email_level_needs_a_usable_template(self):
        empty = self.env["mail.template"].create(
            {
                "name": "Relance vide",
                "model_id": self.env["ir.model"]._get_id("relance.log"),
                "subject": "Relance",
                "body_html": "<p><br></p>",
            }
        )
        no_subject = empty.copy({"name": "Relance sans objet", "subject": " ", "body_html": "<p>Bonjour</p>"})
        invoice_template = self.env.ref("account.email_template_edi_invoice")
        self.assertRefused(self.level_1, {"mail_template_id": False}, "n'a pas de modèle d'e-mail")
        self.assertRefused(self.level_1, {"mail_template_id": empty.id}, "n'a pas d'objet ou pas de texte")
        self.assertRefused(self.level_1, {"mail_template_id": no_subject.id}, "n'a pas d'objet ou pas de texte")
        self.assertRefused(self.level_1, {"mail_template_id": invoice_template.id}, "n'est pas un modèle de relance")
        phone = self.env["relance.level"].create({"name": "Appel", "sequence": 60, "delay": 60, "channel": "phone"})
        self.assertRefused(phone, {"channel": "email"}, "n'a pas de modèle d'e-mail")

    def test_level_form_without_template_refused(self):
        count = self.env["relance.level"].search_count([])
        form = Form(self.env["relance.level"].with_context(lang="fr_FR"))
        form.name = "Relance 4"
        form.sequence = 60
        form.delay = 70
        form.channel = "email"
        with self.assertRaisesMessage(ValidationError, "n'a pas de modèle d'e-mail"):
            form.save()
        self.assertEqual(self.env["relance.level"].search_count([]), count)
