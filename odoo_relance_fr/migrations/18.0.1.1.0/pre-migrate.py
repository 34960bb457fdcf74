"""18.0.1.1.0: a customer's exclusion from reminders becomes per company (company-dependent field).

Before the ORM turns the column into a company-dependent one, keep the values aside."""


def migrate(cr, version):
    cr.execute(
        "SELECT 1 FROM information_schema.columns WHERE table_name = 'res_partner' AND column_name = 'relance_excluded'"
        " AND data_type = 'boolean'"
    )
    if cr.fetchone():
        cr.execute("ALTER TABLE res_partner RENAME COLUMN relance_excluded TO relance_excluded_before_18_0_1_1")
