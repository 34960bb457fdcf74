import threading
from dataclasses import dataclass, field

from psycopg2 import errors as pg_errors

from odoo import api, models
from odoo.exceptions import UserError

# as Odoo retries them (odoo.service.model): another worker holds the rows
CONCURRENCY_ERRORS = (pg_errors.LockNotAvailable, pg_errors.SerializationFailure, pg_errors.DeadlockDetected)


@dataclass
class Deferred:
    """What the scheduler's customers of one commit leave to be written together just before it
    (relance.batch._relance_write_deferred): the invoices' new reminder state {(level id, date): invoice ids},
    the chatter notes [(model, record id, body)] and the emails [(reminder id, values of its mail.mail)],
    rendered in the customer's own savepoint, created together. A customer's share joins only once all of it
    went through."""

    states: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    mails: list = field(default_factory=list)

    def merge(self, other):
        for key, ids in other.states.items():
            self.states.setdefault(key, []).extend(ids)
        self.notes.extend(other.notes)
        self.mails.extend(other.mails)


class RelanceBatch(models.AbstractModel):
    """What the daily ladder and the monthly statements share: customers taken in batches, each on its own,
    with the scheduler's progress and commits."""

    _name = "relance.batch"
    _description = "Customers handled in batches by the scheduler"

    @api.model
    def _relance_cron_env(self):
        """The scheduler gives no language: texts for the staff follow the cron user's."""
        return self if self.env.context.get("lang") else self.with_context(lang=self.env.user.lang)

    @api.model
    def _relance_take_batch(self, todo, batch_size):
        """The first batch_size (company, customer) pairs of todo, and their customers. The customers
        prefetch among themselves only: todo may hold every customer due today (statements), and each
        read after a commit would otherwise fetch them all."""
        partners = self.env["res.partner"].union(*(partner for _company, partner in todo[:batch_size]))
        return [
            (company, partner.with_prefetch(partners._prefetch_ids)) for company, partner in todo[:batch_size]
        ], partners

    @api.model
    def _relance_run_batch(self, batch, total, send, commit_every=20, before_chunk=None, before_commit=None):
        """send(model in the company, customer) for each (company, customer) of the batch, with the
        scheduler's progress (it reruns the job while some remain). In cron mode, what is done is
        committed every commit_every customers (and at the end): a crash loses at most that many, to
        be done again by the next run, and invoice rows are not kept locked long. Each customer is all
        or nothing on its own (savepoint): its email is rendered there and queued in the same transaction as its
        reminder.
        before_chunk(customers) is called before each commit_every customers, before_commit() before each
        commit: what the customers of one commit share is done there once."""
        for done, (company, partner) in enumerate(batch, start=1):
            if before_chunk and done % commit_every == 1 % commit_every:
                before_chunk(batch[done - 1 : done - 1 + commit_every])
            send(self.with_company(company), partner)
            if done % commit_every == 0 or done == len(batch):
                if before_commit:
                    before_commit()
                self.env["ir.cron"]._notify_progress(done=done, remaining=total - done)
                self._relance_commit_in_cron()
        if not total:
            self.env["ir.cron"]._notify_progress(done=0, remaining=0)

    @api.model
    def _relance_write_deferred(self, deferred):
        """Write what the customers since the last commit left (see Deferred): their emails queued in one
        creation, one UPDATE per level reached, one chatter note per invoice and customer, in one batch per
        model and round. Should any of it fail, the whole commit fails: the scheduler runs these customers
        again, none of them half reminded."""
        if deferred.mails:
            self.env["relance.log"]._relance_create_mails(deferred.mails)
        Move = self.env["account.move"]
        for (level_id, date), ids in deferred.states.items():
            Move.browse(ids)._relance_write_reminder_state({"relance_level_id": level_id, "relance_last_date": date})
        rounds = []  # a customer with two reminders today gets two notes: one per round
        for model, res_id, body in deferred.notes:
            batch = next((batch for batch in rounds if (model, res_id) not in batch), None)
            if batch is None:
                batch = {}
                rounds.append(batch)
            batch[model, res_id] = body
        for batch in rounds:
            for model in {model for model, _res_id in batch}:
                bodies = {res_id: body for (mod, res_id), body in batch.items() if mod == model}
                self.env[model].browse(list(bodies))._message_log_batch(bodies)
        deferred.states.clear()
        deferred.notes.clear()
        deferred.mails.clear()

    def _relance_commit_in_cron(self):
        """Commit when run by the scheduler (a job run with its progress record), never in tests."""
        if self.env.context.get("ir_cron_progress_id") and not getattr(threading.current_thread(), "testing", False):
            # the scheduler's batches, committed as Odoo's own crons do (see _relance_run_batch)
            self.env.cr.commit()  # pylint: disable=invalid-commit

    @api.model
    def _relance_failure_reason(self, error):
        """What a failed log says: the French message of an error a person can fix, else the error itself."""
        return error.args[0] if isinstance(error, UserError) and error.args else repr(error)
