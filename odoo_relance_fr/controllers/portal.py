import threading
import time
from collections import defaultdict, deque

from odoo import http
from odoo.exceptions import UserError
from odoo.http import content_disposition, request


class RateLimit:
    """At most `limit` hits per key in the last `window` seconds, counted by this server process (as Odoo counts
    failed logins in base's res.users): with several workers, each counts its own."""

    def __init__(self, limit, window):
        self.limit = limit
        self.window = window
        self._hits = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key, now):
        hits = self._hits[key]
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        return hits

    def full(self, key):
        """Whether key used up its hits."""
        with self._lock:
            return len(self._recent(key, time.monotonic())) >= self.limit

    def hit(self, key):
        """Count one hit of key; False when it was over its limit already (the hit is not counted)."""
        now = time.monotonic()
        with self._lock:
            if len(self._hits) > 10000:  # forget the keys whose hits all expired
                for old in [k for k, hits in self._hits.items() if not hits or hits[-1] <= now - self.window]:
                    del self._hits[old]
            hits = self._recent(key, now)
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            return True

    def clear(self):
        with self._lock:
            self._hits.clear()


# one address opening pages and files
VISITS = RateLimit(limit=120, window=60)
# one address trying links that do not exist (guessing tokens)
BAD_LINKS = RateLimit(limit=10, window=600)
# one link sending payment dates and problems
ANSWERS = RateLimit(limit=10, window=3600)


# every route of the page: a frontend page in Odoo's portal look, for visitors who are no users, never in the sitemap
# nor behind a language prefix (the page speaks its customer's language)
PAGE = {"type": "http", "auth": "public", "website": True, "multilang": False, "sitemap": False}


class RelanceCustomerPage(http.Controller):
    """The page a customer opens from the personal link of a reminder, a statement or a letter, without logging
    in: its open invoices with one company, their PDFs, the statement, online payment where Odoo offers it, a
    payment date to announce, a problem to report. What it does lives on relance.access."""

    @http.route(
        "/relance/<string:token>",
        methods=["GET"],
        **PAGE,
    )
    def relance_page(self, token, **kwargs):
        access, refused = self._relance_access(token)
        if refused:
            return refused
        # the answer just sent, said back once (Post/Redirect/Get): what this visitor's session recorded
        answer = access.env["relance.log"].browse(request.session.pop("relance_answer", None) or [])
        return self._relance_render(access, answer=answer.exists().filtered(lambda log: log.access_id == access))

    @http.route(
        "/relance/<string:token>/statement",
        methods=["GET"],
        **PAGE,
    )
    def relance_statement(self, token, **kwargs):
        access, refused = self._relance_access(token)
        if refused:
            return refused
        today = access._relance_today()
        if access._relance_is_expired(today):
            return self._relance_render(access)
        pdf, filename = access._relance_statement_pdf(today)
        return request.make_response(
            pdf,
            headers=[
                ("Content-Type", "application/pdf"),
                ("Content-Length", len(pdf)),
                ("Content-Disposition", content_disposition(filename)),
            ],
        )

    @http.route(
        "/relance/<string:token>/promise",
        methods=["POST"],
        **PAGE,
    )
    def relance_promise(self, token, date=None, **kwargs):
        access, refused = self._relance_answering(token)
        if refused:
            return refused
        move_ids = request.httprequest.form.getlist("move_ids")
        return self._relance_answer(
            access,
            lambda today: access._relance_announce_payment(move_ids, date, today),
        )

    @http.route(
        "/relance/<string:token>/problem",
        methods=["POST"],
        **PAGE,
    )
    def relance_problem(
        self, token, move_id=None, reason=None, description=None, paid_date=None, paid_reference=None, **kwargs
    ):
        access, refused = self._relance_answering(token)
        if refused:
            return refused
        upload = request.httprequest.files.get("attachment")
        content = upload.read(access._relance_max_upload() + 1) if upload else b""
        return self._relance_answer(
            access,
            lambda today: access._relance_report_problem(
                move_id,
                reason,
                description,
                today,
                paid_date=paid_date,
                paid_reference=paid_reference,
                upload=(upload.filename, content) if content else None,
            ),
        )

    # ------------------------------------------------------------------ helpers

    def _relance_access(self, token):
        """(the link of token as superuser, None), or (None, the answer refusing it): too many requests from
        this address, or a link that does not exist (malformed, made up; it says nothing of any company), counted
        among this address's failed tries."""
        address = (request.db, request.httprequest.remote_addr)
        if not VISITS.hit(address) or BAD_LINKS.full(address):
            return None, self._relance_too_many()
        access = request.env["relance.access"]._relance_find(token)
        if not access:
            BAD_LINKS.hit(address)
            return None, self._relance_unknown("odoo_relance_fr.relance_portal_not_found", 404)
        return access, None

    def _relance_answering(self, token):
        """_relance_access for a customer sending an answer, within the answers' limit of its link."""
        access, refused = self._relance_access(token)
        if not refused and not ANSWERS.hit((request.db, access.id)):
            refused = self._relance_too_many()
        return access, refused

    def _relance_too_many(self):
        return self._relance_unknown("odoo_relance_fr.relance_portal_too_many", 429, headers={"Retry-After": "600"})

    def _relance_unknown(self, template, status, **kwargs):
        """A page for a visitor whose customer is not known: in the language its browser asks for, when Odoo has
        it."""
        langs = [code for code, _name in request.env["res.lang"].get_installed()]
        best = request.httprequest.accept_languages.best_match([code.replace("_", "-") for code in langs])
        if best:
            request.update_context(lang=best.replace("-", "_"))
        return request.render(template, {}, status=status, **kwargs)

    def _relance_answer(self, access, action):
        """Run the customer's answer; on a mistake of its own, nothing is kept and the page says what to fix."""
        today = access._relance_today()
        if access._relance_is_expired(today):
            return self._relance_render(access)
        try:
            with request.env.cr.savepoint():
                answer = action(today)
        except UserError as error:
            form = request.httprequest.form
            return self._relance_render(
                access,
                status=400,
                error=error.args[0],
                posted={key: form.get(key) for key in form if key != "csrf_token"},
                posted_move_ids=[int(move_id) for move_id in form.getlist("move_ids") if move_id.isdigit()],
            )
        request.session["relance_answer"] = answer.id
        return request.redirect(access._relance_path(), local=True)

    def _relance_render(self, access, status=200, answer=None, **values):
        """The customer's page in its language (or the page saying its link expired); answer: the customer's
        answer just recorded, said back."""
        today = access._relance_today()
        request.update_context(lang=access._relance_lang())
        if access._relance_is_expired(today):
            return request.render(
                "odoo_relance_fr.relance_portal_expired",
                dict(access._relance_expired_values(), res_company=access.company_id),
                status=410,
            )
        return request.render(
            "odoo_relance_fr.relance_portal_page",
            {
                **access._relance_page_values(today, answer=answer),
                "res_company": access.company_id,
                "posted": {},
                "posted_move_ids": [],
                "error": None,
                **values,
            },
            status=status,
        )
