"""18.0.1.1.0: a customer excluded from reminders before stays excluded, for every company (what it meant)."""


def migrate(cr, version):
    cr.execute(
        "SELECT 1 FROM information_schema.columns WHERE table_name = 'res_partner'"
        " AND column_name = 'relance_excluded_before_18_0_1_1'"
    )
    if not cr.fetchone():
        return
    cr.execute(
        """
        UPDATE res_partner
           SET relance_excluded = (SELECT jsonb_object_agg(company.id::text, true) FROM res_company company)
         WHERE relance_excluded_before_18_0_1_1
        """
    )
    cr.execute("ALTER TABLE res_partner DROP COLUMN relance_excluded_before_18_0_1_1")
