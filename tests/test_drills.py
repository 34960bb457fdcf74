"""Safety drills: concurrent cron workers and a crash in the middle of a run, on a real database.

The workers are separate processes committing after each customer, as Odoo's scheduler does, so
they cannot run inside the test transaction: they work on their own copy of the test database,
named by RELANCE_DRILL_DB (``./relance.sh test`` makes a fresh one for each run).
"""

import json
import os
import smtplib
import subprocess
import sys
from pathlib import Path
from unittest.mock import patch

from freezegun import freeze_time

import odoo
from odoo.tests import BaseCase, tagged

from odoo.addons.base.tests.common import MockSmtplibCase

from .common import D, LadderCommon
from .drill_worker import statement_day

WORKER = Path(__file__).with_name("drill_worker.py")


@tagged("post_install", "-at_install")
class TestDrills(BaseCase):
    drill_day = {}  # every worker runs today

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.db_name = os.environ.get("RELANCE_DRILL_DB")
        if not cls.db_name:
            raise AssertionError(
                "The safety drills need their own database: run the suite with ./relance.sh test, or set "
                "RELANCE_DRILL_DB to a copy of the test database (createdb -T)."
            )

    def worker(self, *args):
        return subprocess.Popen(
            [sys.executable, str(WORKER), self.db_name, odoo.tools.config["addons_path"], *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=dict(os.environ, **self.drill_day),
        )

    def call(self, *args):
        """Run a worker to its end; its JSON answer."""
        proc = self.worker(*args)
        out, err = proc.communicate(timeout=900)
        self.assertEqual(proc.returncode, 0, err[-3000:])
        return json.loads(out.strip().splitlines()[-1])

    def make_customers(self, count, *mode):
        ids = self.call("setup", str(count), *mode)
        self.assertEqual(ids["due"], 2 * count, "every invoice of the drill is due for a reminder today")
        return ids

    def outcome(self, ids):
        return self.call("check", json.dumps(ids))

    def expected(self, count):
        return {
            "customers reminded": count,
            "logs": count,
            "failed": 0,
            "sent without email": 0,
            "emails": count,
            "emails per customer": [1],
            "invoices reminded twice": 0,
            "invoices still due": 0,
            "invoices at Relance 1": 2 * count,
        }

    def test_two_workers_at_once_remind_each_customer_exactly_once(self):
        ids = self.make_customers(200)
        workers = [self.worker("run"), self.worker("run")]
        errors = [worker.communicate(timeout=900)[1] for worker in workers]
        self.assertEqual([worker.returncode for worker in workers], [0, 0], errors)
        self.assertEqual(self.outcome(ids), self.expected(200))

    def test_two_workers_on_statement_day_send_one_email_each_with_its_statement(self):
        """The daily ladder on statement day: each reminder carries its customer's statement, once."""
        self.drill_day = {"RELANCE_DRILL_DAY": statement_day().isoformat()}
        ids = self.make_customers(60, "statement-day")
        workers = [self.worker("run"), self.worker("run")]
        errors = [worker.communicate(timeout=900)[1] for worker in workers]
        self.assertEqual([worker.returncode for worker in workers], [0, 0], errors)
        outcome = self.outcome(ids)
        self.assertEqual(
            {key: outcome[key] for key in ("customers reminded", "emails", "emails per customer", "failed")},
            {"customers reminded": 60, "emails": 60, "emails per customer": [1], "failed": 0},
        )
        self.assertEqual((outcome["logs"], outcome["invoices reminded twice"]), (120, 0), "a reminder and a statement")
        statements = self.call("check-statements", json.dumps(ids))
        self.assertEqual(
            (statements["statements"], statements["statements per customer"], statements["failed"]), (60, [1], 0)
        )

    def assert_late_statement_run_sends_nothing_again(self, mode):
        """The drill mode's first run finds the 20 statements sent by the other: none sent twice, none failed."""
        ids = self.make_customers(20, "statements")
        race = self.call(mode, json.dumps(ids))
        self.assertEqual(race, {"chosen by the first run": 20, "sent by the first run": 0})
        self.assertEqual(
            self.call("check-statements", json.dumps(ids)),
            {"statements": 20, "failed": 0, "statements per customer": [1], "emails per statement": 1.0},
        )

    def test_two_statement_runs_a_moment_apart_send_each_statement_exactly_once(self):
        self.assert_late_statement_run_sends_nothing_again("statement-race")

    def test_statement_run_whose_customers_another_run_sent_meanwhile_skips_them(self):
        """The run's customers' links are made before their statements (they print them): a run meeting rows
        another run has just locked and touched must skip those customers, not fail the whole batch."""
        self.assert_late_statement_run_sends_nothing_again("statement-run-race")

    def test_two_statement_runs_at_once_send_each_statement_exactly_once(self):
        ids = self.make_customers(60, "statements")
        workers = [self.worker("statements"), self.worker("statements")]
        errors = [worker.communicate(timeout=900)[1] for worker in workers]
        self.assertEqual([worker.returncode for worker in workers], [0, 0], errors)
        self.assertEqual(
            self.call("check-statements", json.dumps(ids)),
            {"statements": 60, "failed": 0, "statements per customer": [1], "emails per statement": 1.0},
        )

    def test_crash_in_the_middle_then_next_run_completes(self):
        ids = self.make_customers(60)
        crashed = self.worker("run", "--crash-after", "25")
        error = crashed.communicate(timeout=900)[1]
        self.assertEqual(crashed.returncode, -9, f"the worker was to be killed in the middle of the run: {error}")
        half = self.outcome(ids)
        # the cron commits at the end of each batch (10 customers here): the 20 committed before the
        # crash are kept, the 5 after them (the 25th being reminded when the process died) left no
        # trace, neither email nor level
        self.assertEqual(half["customers reminded"], 20)
        self.assertEqual(
            (half["logs"], half["emails"], half["sent without email"], half["invoices at Relance 1"]), (20, 20, 0, 40)
        )
        self.assertEqual(half["invoices still due"], 80)
        rerun = self.worker("run")
        error = rerun.communicate(timeout=900)[1]
        self.assertEqual(rerun.returncode, 0, error)
        self.assertEqual(self.outcome(ids), self.expected(60))


@tagged("post_install", "-at_install")
class TestDeliveryFailure(LadderCommon, MockSmtplibCase):
    """The outgoing server refuses a reminder: the accountant sees it, and it is sent again."""

    def refused(self):
        """The SMTP server answers 550 to every recipient."""

        def send_message(message, smtp_from, smtp_to_list):
            raise smtplib.SMTPRecipientsRefused({to: (550, b"5.1.1 Mailbox unavailable") for to in smtp_to_list})

        return patch.object(self.testing_smtp_session, "send_message", side_effect=send_message)

    def test_refused_email_fails_visibly_and_is_sent_again(self):
        move = self._invoice(self.customer, "2026-03-09")
        logs, mails = self.run_ladder("2026-03-16")
        self.assertEqual(
            (logs.state, move.relance_level_id, move.relance_last_date), ("sent", self.level_1, D("2026-03-16"))
        )
        with freeze_time("2026-03-16"), self.mock_smtplib_connection(), self.refused():
            self.env["mail.mail"].process_email_queue(mails.ids)
        self.assertEqual(mails.state, "exception")
        self.assertEqual(logs.state, "failed")
        self.assertIn("L'e-mail n'a pas pu être remis", logs.note)
        self.assertIn("Mailbox unavailable", logs.note)
        self.assertEqual(
            (move.relance_level_id, move.relance_last_date),
            (self.env["relance.level"], False),
            "the invoice is back to where it was: not reminded",
        )
        self.assertEqual(logs.activity_ids.summary, "E-mail de relance non remis")
        self.assertEqual(
            self.env["relance.log"].search_count([("state", "=", "failed"), ("id", "=", logs.id)]),
            1,
            "the history's Failed filter shows it",
        )
        self.assertFalse(self.run_ladder("2026-03-16")[0], "not retried in a loop on the same day")
        retry_logs, retry_mails = self.run_ladder("2026-03-17")
        self.assertEqual((retry_logs.level_id, retry_logs.state, len(retry_mails)), (self.level_1, "sent", 1))
        with freeze_time("2026-03-17"), self.mock_smtplib_connection():
            self.env["mail.mail"].process_email_queue(retry_mails.ids)
        self.assertEqual(len(self.emails), 1)
        self.assertEqual(
            (retry_logs.state, move.relance_level_id, move.relance_last_date), ("sent", self.level_1, D("2026-03-17"))
        )

    def test_send_again_at_once_after_a_refused_email(self):
        move = self._invoice(self.customer, "2026-02-07")
        self.remind(move, self.level_1, "2026-02-20")
        logs, mails = self.run_ladder("2026-03-16")
        self.assertEqual(logs.level_id, self.level_2)
        with freeze_time("2026-03-16"), self.mock_smtplib_connection(), self.refused():
            self.env["mail.mail"].process_email_queue(mails.ids)
        self.assertEqual(
            (logs.state, move.relance_level_id, move.relance_last_date), ("failed", self.level_1, D("2026-02-20"))
        )
        with freeze_time("2026-03-16"), self.mock_mail_gateway():
            logs.action_relance_retry()
            self.assertEqual(len(self._new_mails), 1)
        self.assertEqual(logs.state, "cancelled")
        self.assertFalse(logs.activity_ids, "the reminder to check is done once sent again")
        self.assertEqual((move.relance_level_id, move.relance_last_date), (self.level_2, D("2026-03-16")))

    def test_refused_statement_fails_visibly(self):
        self._invoice(self.customer, "2026-01-15")
        self._invoice(self.customer, "2026-02-01")
        with freeze_time("2026-03-01"), self.mock_mail_gateway():
            log = self.env["relance.statement"]._relance_send_statement(self.customer, D("2026-03-01"))
            mails = self._new_mails
        self.assertEqual(log.state, "sent")
        with freeze_time("2026-03-01"), self.mock_smtplib_connection(), self.refused():
            self.env["mail.mail"].process_email_queue(mails.ids)
        self.assertEqual(log.state, "failed")
        self.assertIn("Renvoyez le relevé", log.note)
