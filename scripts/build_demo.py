"""Fill a French database (made by make_db.py) with a company, customers and invoices at every reminder stage.

Usage: python build_demo.py DBNAME ADDONS_PATH
Dates are relative to the day the script runs, so the demo always shows each stage "today".
"""

import sys
from datetime import date, timedelta

from odoo_env import open_env

from odoo import Command, fields

# fmt: off
CUSTOMERS = [
    # key, name, is_company, email, lang,
    #     street, zip, city, country code, VAT number
    ("martin", "Boulangerie Martin SARL", True, "compta@boulangerie-martin.example", "fr_FR",
        "14 rue de la République", "69002", "Lyon", "FR", "FR90734640972"),
    ("leroy", "Garage Leroy SA", True, "factures@garage-leroy.example", "fr_FR",
        "27 boulevard Guist'hau", "44000", "Nantes", "FR", "FR11502466337"),
    ("bernard", "Bernard Menuiserie EURL", True, "contact@bernard-menuiserie.example", "fr_FR",
        "8 cours de l'Intendance", "33000", "Bordeaux", "FR", "FR68829923127"),
    ("moreau", "Imprimerie Moreau SAS", True, "", "fr_FR",
        "52 rue Nationale", "59000", "Lille", "FR", "FR12364808949"),
    ("dubois", "Cabinet Dubois & Associés", True, "secretariat@cabinet-dubois.example", "fr_FR",
        "3 allées Jean Jaurès", "31000", "Toulouse", "FR", "FR86397222332"),
    ("lambert", "Transports Lambert SARL", True, "compta@transports-lambert.example", "fr_FR",
        "16 rue d'Antrain", "35000", "Rennes", "FR", "FR74426339206"),
    ("girard", "Pharmacie Girard", True, "pharmacie.girard@example.fr", "fr_FR",
        "41 avenue Jean Médecin", "06000", "Nice", "FR", "FR61790819353"),
    ("fontaine", "Hôtel Fontaine SAS", True, "direction@hotel-fontaine.example", "fr_FR",
        "5 quai Eustache Chappuis", "74000", "Annecy", "FR", "FR74377844832"),
    ("rousseau", "Rousseau Paysages SARL", True, "", "fr_FR",
        "22 rue de la Liberté", "21000", "Dijon", "FR", "FR38981068711"),
    ("petit", "Claire Petit", False, "claire.petit@example.fr", "fr_FR",
        "9 rue Colbert", "37000", "Tours", "FR", ""),
    ("brightside", "Brightside Trading Ltd", True, "accounts@brightside.example", "en_GB",
        "10 King Street", "EC2V 8EA", "London", "GB", ""),
    ("peeters", "Peeters Logistics SA", True, "boekhouding@peeters-logistics.example", "fr_FR",
        "Rue de la Loi 155", "1040", "Bruxelles", "BE", "BE0477472701"),
    ("excluded", "Mairie de Saint-Aubin", True, "mairie@saint-aubin.example", "fr_FR",
        "Place de la Mairie", "91190", "Saint-Aubin", "FR", "FR05588163022"),
]
# fmt: on

# customer, amount HT, days from today to the due date (negative: late), level reached, days since last reminder,
# amount paid, label
INVOICES = [
    ("martin", 1000.00, 25, None, None, 0, "pas encore dû : avis avant échéance dans 18 jours"),
    ("leroy", 2500.00, 7, None, None, 0, "échéance dans 7 jours : avis avant échéance aujourd'hui"),
    ("bernard", 840.00, -7, None, None, 0, "7 jours de retard : relance 1 aujourd'hui"),
    ("dubois", 1500.00, -22, "relance_level_1", 15, 0, "22 jours de retard : relance 2 aujourd'hui"),
    ("lambert", 3200.00, -37, "relance_level_2", 15, 0, "37 jours de retard : relance 3 aujourd'hui"),
    ("girard", 980.00, -52, "relance_level_3", 15, 0, "52 jours de retard : mise en demeure à valider"),
    ("fontaine", 4100.00, -90, None, None, 0, "90 jours de retard, jamais relancée : relance 1 d'abord"),
    ("moreau", 1250.00, -22, "relance_level_1", 15, 0, "client sans e-mail"),
    ("rousseau", 2000.00, -30, "relance_level_1", 23, 1000.00, "partiellement payée"),
    ("martin", 600.00, -40, None, None, 720.00, "payée"),
    ("petit", 350.00, -22, "relance_level_1", 15, 0, "particulier"),
    ("brightside", 1800.00, -7, None, None, 0, "client britannique (export, sans TVA), en anglais"),
    ("peeters", 2200.00, -22, "relance_level_1", 15, 0, "client belge (intracommunautaire, autoliquidation)"),
    ("excluded", 700.00, -37, None, None, 0, "client exclu des relances"),
    ("dubois", 5000.00, 3, None, None, 0, "6 000 € TTC, échéance dans 3 jours (appel de courtoisie)"),
    # three late invoices for one customer: one grouped reminder
    ("leroy", 450.00, -7, None, None, 0, "groupée (1/3)"),
    ("leroy", 1200.00, -22, "relance_level_1", 15, 0, "groupée (2/3)"),
    ("leroy", 300.00, -37, "relance_level_2", 15, 0, "groupée (3/3)"),
]


def setup_company(env):
    company = env.ref("base.main_company")
    company.write(
        {
            "name": "Ateliers Dupont SAS",
            "street": "12 rue de la Paix",
            "zip": "75002",
            "city": "Paris",
            "email": "compta@ateliers-dupont.example",
            "phone": "+33 1 23 45 67 89",
            "website": "https://www.ateliers-dupont.example",
            "vat": "FR23334175221",
            "siret": "33417522100012",
            "company_registry": "334 175 221 RCS Paris",
        }
    )
    bank = env["res.bank"].create({"name": "Crédit Agricole Île-de-France", "bic": "AGRIFRPP882"})
    account = env["res.partner.bank"].create(
        {
            "acc_number": "FR76 3000 6000 0112 3456 7890 189",
            "partner_id": company.partner_id.id,
            "bank_id": bank.id,
            "allow_out_payment": True,
        }
    )
    env["account.journal"].search(
        [("type", "=", "bank"), ("company_id", "=", company.id)], limit=1
    ).bank_account_id = account
    admin = env.ref("base.user_admin")
    admin.name = "Sophie Laurent"
    # the email on the contact: a user's email change queues a security notice, left in error without a mail server
    admin.partner_id.write({"email": "sophie.laurent@ateliers-dupont.example", "phone": "+33 1 23 45 67 80"})
    company.write(
        {
            "relance_signatory_id": admin.id,
            "relance_signatory_function": "Responsable comptable",
            "relance_share_capital": "50 000 €",
            "report_footer": "Ateliers Dupont SAS, SAS au capital de 50 000 € - 12 rue de la Paix, 75002 Paris - "
            "SIRET 334 175 221 00012 - RCS Paris 334 175 221 - TVA intracommunautaire FR23334175221",
        }
    )
    return company


def create_salesperson(env):
    """A real salesperson for half of the invoices: the activities of their customers go to a person."""
    return (
        env["res.users"]
        .with_context(no_reset_password=True)
        .create(
            {
                "name": "Nathalie Roux",
                "login": "nathalie.roux",
                "password": "nathalie.roux",
                "email": "nathalie.roux@ateliers-dupont.example",
                "lang": "fr_FR",
                "groups_id": [Command.set([env.ref("account.group_account_invoice").id])],
            }
        )
    )


def create_customers(env):
    env["res.lang"]._activate_lang("en_GB")
    partners = {}
    for key, name, is_company, email, lang, street, zip_code, city, country_code, vat in CUSTOMERS:
        partners[key] = env["res.partner"].create(
            {
                "name": name,
                "is_company": is_company,
                "email": email or False,
                "lang": lang,
                "street": street,
                "zip": zip_code,
                "city": city,
                "country_id": env["res.country"].search([("code", "=", country_code)]).id,
                "vat": vat or False,
                "relance_excluded": key == "excluded",
                "relance_courtesy_call": key == "martin",  # a customer one knows well: called before due dates
            }
        )
    # a French private person has no VAT number, which the chart's automatic Domestic position asks for
    partners["petit"].property_account_position_id = env["account.chart.template"].ref(
        "fiscal_position_template_domestic"
    )
    return partners


def create_invoices(env, partners, today, salespeople):
    tax = env["account.chart.template"].ref("tva_normale")
    # goods, as the chart's fiscal positions map them (intra-EU delivery, export), each with its legal mention
    chart = env["account.chart.template"]
    for xmlid, note in (
        (
            "fiscal_position_template_intraeub2b",
            "Exonération de TVA, article 262 ter I du CGI (livraison intracommunautaire).",
        ),
        ("fiscal_position_template_import_export", "Exonération de TVA, article 262 I du CGI (exportation)."),
    ):
        chart.ref(xmlid).note = note
    product = env["product.product"].create(
        {
            "name": "Mobilier d'atelier sur mesure",
            "type": "consu",
            "list_price": 1000.0,
            "taxes_id": [Command.set(tax.ids)],
        }
    )
    rows = sorted(INVOICES, key=lambda row: row[2])
    moves = env["account.move"]
    for number, (key, amount, due_in, *_rest) in enumerate(rows):
        due = today + timedelta(days=due_in)
        # the product's 20 % VAT, mapped by the customer's fiscal position (export, intra-EU B2B)
        moves |= env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partners[key].id,
                "invoice_user_id": salespeople[number % len(salespeople)].id,
                "invoice_date": due - timedelta(days=30),
                "invoice_date_due": due,
                "invoice_line_ids": [Command.create({"product_id": product.id, "price_unit": amount})],
            }
        )
    moves.action_post()
    for move, (_key, _amount, _due, level, since, paid, label) in zip(moves, rows, strict=True):
        move.message_post(body=f"Facture de démonstration : {label}")
        if paid:
            env["account.payment.register"].with_context(active_model="account.move", active_ids=move.ids).create(
                {"amount": paid, "payment_date": today - timedelta(days=3)}
            )._create_payments()
        if level:
            record_past_reminder(env, move, env.ref(f"odoo_relance_fr.{level}"), today - timedelta(days=since))
    refund = moves[0]._reverse_moves([{"invoice_date": today - timedelta(days=5), "ref": "Avoir commercial"}])
    refund.invoice_line_ids.price_unit = 100.0
    refund.action_post()
    return moves


def record_past_reminder(env, move, level, date):
    env["relance.log"].create(
        {
            "date": date,
            "level_id": level.id,
            "channel": "email",
            "partner_id": move.commercial_partner_id.id,
            "move_ids": [Command.set(move.ids)],
            "state": "sent",
            "user_id": env.ref("base.user_admin").id,
            "note": "Relance antérieure (démonstration)",
        }
    )
    move.write({"relance_level_id": level.id, "relance_last_date": date})


def main(db_name, addons_path):
    with open_env(db_name, {"lang": "fr_FR", "tracking_disable": False}, addons_path) as env:
        today = fields.Date.context_today(env["res.users"])
        setup_company(env)
        salespeople = env.ref("base.user_admin") | create_salesperson(env)
        partners = create_customers(env)
        moves = create_invoices(env, partners, today, salespeople)
        print(f"Demo database {db_name}: {len(partners)} customers, {len(moves)} invoices and 1 credit note")
        for move in moves.sorted(lambda m: (m.relance_next_date or date.max, m.name)):
            print(
                f"  {move.name:<16} {move.partner_id.name:<28} {move.fiscal_position_id.name or '':<18} "
                f"TTC {move.amount_total:>9.2f} échéance {move.invoice_date_due} "
                f"reste {move.amount_residual:>9.2f}  prochaine relance: "
                f"{move.relance_next_level_id.name or '-'} {move.relance_next_date or ''}"
            )


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(*sys.argv[1:])
