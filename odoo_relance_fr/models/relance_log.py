from odoo import fields, models

from .relance_level import CHANNELS


class RelanceLog(models.Model):
    _name = "relance.log"
    _description = "Reminder history"
    _order = "date desc, id desc"
    _check_company_auto = True

    date = fields.Date(required=True, default=fields.Date.context_today, index=True)
    level_id = fields.Many2one("relance.level", string="Level", check_company=True, index=True)
    channel = fields.Selection(CHANNELS, required=True, default="email")
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, ondelete="restrict"
    )
    move_ids = fields.Many2many(
        "account.move",
        "relance_log_account_move_rel",
        "log_id",
        "move_id",
        string="Invoices",
        check_company=True,
    )
    user_id = fields.Many2one("res.users", string="Sent by", default=lambda self: self.env.user)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    state = fields.Selection(
        [
            ("planned", "Planned"),
            ("sent", "Sent"),
            ("to_print", "To print"),
            ("printed", "Printed"),
            ("done", "Done"),
            ("failed", "Failed"),
            ("cancelled", "Cancelled"),
        ],
        required=True,
        default="planned",
        index=True,
    )
    note = fields.Text()
    mail_message_id = fields.Many2one("mail.message", string="Email", ondelete="set null")
    mail_mail_id = fields.Many2one("mail.mail", string="Outgoing email", ondelete="set null")
    attachment_ids = fields.Many2many(
        "ir.attachment",
        "relance_log_ir_attachment_rel",
        "log_id",
        "attachment_id",
        string="Documents",
    )
    lrar_number = fields.Char(string="Registered letter number", copy=False)
    lrar_ack_date = fields.Date(string="Acknowledgement of receipt", copy=False)
